using Tend.Core.Processes;
using Xunit;

namespace Tend.Core.Tests.Processes;

/// <summary>The PID 1 reaper, on a fake /proc: only children that stay zombies for two scans are reaped.</summary>
public sealed class ZombieReaperTests : IDisposable
{
    private readonly string _proc = Directory.CreateTempSubdirectory("tend-proc-").FullName;
    private readonly List<int> _reaped = [];

    public void Dispose() => Directory.Delete(_proc, recursive: true);

    private void Process(int pid, string comm, char state, int ppid)
    {
        Directory.CreateDirectory(Path.Combine(_proc, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        File.WriteAllText(Path.Combine(_proc, pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "stat"), $"{pid} ({comm}) {state} {ppid} 1 1 0 -1\n");
    }

    private ZombieReaper Reaper() => new(_proc, 1, pid =>
    {
        _reaped.Add(pid);
        return true;
    }, time: null);

    [Fact]
    public void Scan_ZombieOrphanSeenTwice_Reaped()
    {
        Process(40, "worker (old) Z 9", 'Z', 1);
        Process(41, "running", 'S', 1);
        Process(42, "someone else's", 'Z', 7);
        Directory.CreateDirectory(Path.Combine(_proc, "self"));
        using var reaper = Reaper();

        Assert.Equal(0, reaper.Scan());
        Assert.Equal(1, reaper.Scan());

        Assert.Equal([40], _reaped);
        Assert.Equal(1, reaper.Reaped);
    }

    [Fact]
    public void Scan_ZombieGoneBeforeSecondScan_NotReaped()
    {
        Process(50, "sh", 'Z', 1);
        using var reaper = Reaper();
        reaper.Scan();

        // .NET reaped its own child in between.
        Directory.Delete(Path.Combine(_proc, "50"), recursive: true);
        Process(51, "sh", 'Z', 1);

        Assert.Equal(0, reaper.Scan());
        Assert.Empty(_reaped);
    }

    [Fact]
    public void StartIfInit_NotPid1_NoReaper() =>
        Assert.Null(ZombieReaper.StartIfInit(() => 4242));

    [Fact]
    public void StartIfInit_Pid1_Reaps()
    {
        using var reaper = ZombieReaper.StartIfInit(() => 1);

        Assert.NotNull(reaper);
    }
}

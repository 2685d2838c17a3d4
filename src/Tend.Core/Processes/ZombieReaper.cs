using System.Globalization;
using System.Runtime.InteropServices;

namespace Tend.Core.Processes;

/// <summary>
/// When Tend is PID 1 (a container's init), orphaned processes are re-parented to it and nobody else reaps
/// them. Every second this reaps children that have been zombies for two scans in a row: .NET reaps the
/// processes it started itself at once on SIGCHLD, so a zombie still there a second later is an orphan.
/// </summary>
public sealed class ZombieReaper : IDisposable
{
    private readonly string _procRoot;
    private readonly int _self;
    private readonly Func<int, bool> _reap;
    private readonly ITimer? _timer;
    private HashSet<int> _seen = [];

    internal ZombieReaper(string procRoot, int self, Func<int, bool> reap, TimeProvider? time)
    {
        _procRoot = procRoot;
        _self = self;
        _reap = reap;
        _timer = time?.CreateTimer(_ => Scan(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>How many orphans were reaped.</summary>
    public long Reaped { get; private set; }

    /// <summary>Starts reaping when this process is PID 1 (<paramref name="pid"/> is the seam); otherwise <c>null</c>.</summary>
    public static ZombieReaper? StartIfInit(Func<int>? pid = null)
    {
        int self = (pid ?? GetPid)();
        return self == 1 ? new ZombieReaper("/proc", self, ReapNative, TimeProvider.System) : null;
    }

    /// <summary>One scan; returns how many zombies were reaped.</summary>
    internal int Scan()
    {
        var zombies = new HashSet<int>();
        int reaped = 0;
        IEnumerable<string> entries;
        try
        {
            entries = Directory.EnumerateDirectories(_procRoot);
        }
        catch (IOException)
        {
            return 0;
        }

        foreach (var dir in entries)
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            // "pid (comm) S ppid ...": comm may hold spaces and parentheses, so read after the last ')'.
            int close = stat.LastIndexOf(')');
            var fields = close < 0 ? [] : stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2 || fields[0] != "Z" || fields[1] != _self.ToString(CultureInfo.InvariantCulture))
            {
                continue;
            }

            if (_seen.Contains(pid) && _reap(pid))
            {
                reaped++;
            }
            else
            {
                zombies.Add(pid);
            }
        }

        _seen = zombies;
        Reaped += reaped;
        return reaped;
    }

    /// <inheritdoc />
    public void Dispose() => _timer?.Dispose();

    private static int GetPid() => Environment.ProcessId;

    private static bool ReapNative(int pid) => WaitPid(pid, out _, 1 /* WNOHANG */) == pid;

    [DllImport("libc", SetLastError = true, EntryPoint = "waitpid")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int WaitPid(int pid, out int status, int options);
}

using Xunit;

namespace Tend.Cli.Tests;

/// <summary>The daemon gives memory back once quiet (the shipped binary: GC, /proc, madvise), and keeps working after it.</summary>
public sealed class DaemonMemoryTrimCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tend-trim-").FullName;

    [Fact]
    public async Task Run_QuietAfterStart_GivesMemoryBackAndStillSeesChanges()
    {
        File.WriteAllText(Path.Combine(_dir, "data.yaml"), "hosts:\n  web1: up\n");
        var config = Path.Combine(_dir, "tend.toml");
        File.WriteAllText(config, "[log]\nlevel = \"debug\"\n[store]\nkind = \"file\"\nfiles = [\"data.yaml\"]\n[watch]\nprefixes = [\"/hosts\"]\n");
        await using var run = TendProcess.Start("run", "--config", config);

        await run.WaitForOutputAsync(p => p.StdErr.Contains("memory given back", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        var line = Assert.Single(run.StdErr.Split('\n'), l => l.Contains("memory given back", StringComparison.Ordinal));
        Assert.Matches(@"GC heap committed \d+ KB → \d+ KB, \d+ KB of the executable's start-up pages unmapped", line);

        // The code and data the unmapped pages held are read again as the daemon works on.
        await File.WriteAllTextAsync(Path.Combine(_dir, "data.yaml"), "hosts:\n  web1: down\n");
        await run.WaitForOutputAsync(p => p.StdErr.Contains("PUT /hosts/web1", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        await run.SignalAsync("TERM");
        Assert.Equal(0, await run.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}

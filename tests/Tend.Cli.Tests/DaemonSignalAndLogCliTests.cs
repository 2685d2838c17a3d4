using System.Net;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Cli.Tests;

/// <summary><c>tend run</c> on the file store: SIGHUP inherited ignored, and store values that try to forge log lines.</summary>
public sealed class DaemonSignalAndLogCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tend-daemon-").FullName;

    [Fact]
    public async Task Run_SighupInheritedIgnored_StillReloads()
    {
        var config = WriteConfig("/hosts");
        await using var run = TendProcess.StartWithHupIgnored("run", "--config", config);
        await run.WaitForOutputAsync(p => p.StdErr.Contains("Running on", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.Contains("SIGHUP was inherited ignored", run.StdErr, StringComparison.Ordinal);

        WriteConfig("/other");
        await run.SignalAsync("HUP");

        await run.WaitForOutputAsync(p => p.StdErr.Contains("Configuration reloaded", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        await run.SignalAsync("TERM");
        Assert.Equal(0, await run.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Run_ValueWithNewlineAndTerminalEscapes_LoggedOnItsOwnLineEscaped()
    {
        var config = WriteConfig("/hosts");
        await using var run = TendProcess.Start("run", "--config", config);
        await run.WaitForOutputAsync(p => p.StdErr.Contains("Running on", StringComparison.Ordinal), TimeSpan.FromSeconds(30));

        // A value that, printed raw, would start a forged line and clear the operator's terminal.
        await File.WriteAllTextAsync(Path.Combine(_dir, "data.yaml"), "hosts:\n  web1: \"up\\n2030-01-01T00:00:00.000Z error TendDaemon: forged\\e[2J\\r\\u0085\"\n");

        await run.WaitForOutputAsync(p => p.StdErr.Contains("PUT /hosts/web1", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        var line = Assert.Single(run.StdErr.Split('\n'), l => l.Contains("PUT /hosts/web1", StringComparison.Ordinal));
        Assert.Contains(@"= up\n2030-01-01T00:00:00.000Z error TendDaemon: forged\e[2J\r\x85 (revision", line, StringComparison.Ordinal);
        Assert.DoesNotContain(run.StdErr.Split('\n'), l => l.StartsWith("2030-01-01", StringComparison.Ordinal));
        Assert.DoesNotContain('\x1b', run.StdErr);
        Assert.DoesNotContain('\r', run.StdErr);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteConfig(string prefix)
    {
        var data = Path.Combine(_dir, "data.yaml");
        if (!File.Exists(data))
        {
            File.WriteAllText(data, "hosts:\n  web1: up\n");
        }

        var config = Path.Combine(_dir, "tend.toml");
        File.WriteAllText(config, $"[store]\nkind = \"file\"\nfiles = [\"data.yaml\"]\n[watch]\nprefixes = [\"{prefix}\"]\n");
        return config;
    }
}

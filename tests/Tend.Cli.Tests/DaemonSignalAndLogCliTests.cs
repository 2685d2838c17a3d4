using System.Net;
using System.Net.Sockets;
using System.Text;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Cli.Tests;

/// <summary><c>tend run</c> on the file store: SIGHUP inherited ignored, store values that try to forge log lines, and systemd's READY=1.</summary>
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

    [Fact]
    public async Task Run_UnderSystemdNotify_ReadyOnlyWhenHealthzAnswers()
    {
        // A datagram socket standing in for systemd's NOTIFY_SOCKET; a unit ordered after tend.service (Type=notify)
        // starts on READY=1, so /healthz must answer at that moment, without a retry.
        var socketPath = Path.Combine(_dir, "notify");
        using var systemd = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        systemd.Bind(new UnixDomainSocketEndPoint(socketPath));
        int port = FreePort.Next();
        var config = WriteConfig("/hosts");
        File.WriteAllText(Path.Combine(_dir, "hosts.tmpl"), "{{range gets \"/hosts/*\"}}{{base .Key}} {{.Value}}\n{{end}}");
        File.AppendAllText(config, $"[http]\nlisten = \"127.0.0.1:{port}\"\n[[render.template]]\nsrc = \"hosts.tmpl\"\ndest = \"hosts.out\"\nkeys = [\"/hosts\"]\n");

        await using var run = TendProcess.StartWithEnvironment(new Dictionary<string, string> { ["NOTIFY_SOCKET"] = socketPath }, "run", "--config", config);
        var buffer = new byte[256];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string message;
        do
        {
            int n = await systemd.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            message = Encoding.UTF8.GetString(buffer, 0, n);
        }
        while (message != "READY=1");

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
        var healthz = await http.GetAsync(new Uri("/healthz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, healthz.StatusCode);
        var rendered = Path.Combine(_dir, "hosts.out");
        await run.WaitForOutputAsync(_ => File.Exists(rendered) && File.ReadAllText(rendered) == "web1 up\n", TimeSpan.FromSeconds(30));

        await run.SignalAsync("TERM");
        Assert.Equal(0, await run.WaitForExitAsync(TimeSpan.FromSeconds(30)));
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

using System.Diagnostics;
using System.Net.Sockets;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Cli.Tests;

/// <summary><c>tend check</c>'s exit-code contract, the <c>powerconsul</c> name, and the health module on the (read-only) file store with /status and /metrics.</summary>
public sealed class HealthCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tend-health-cli-").FullName;
    private readonly List<Process> _processes = [];

    public void Dispose()
    {
        foreach (var p in _processes)
        {
            p.Kill();
            p.WaitForExit();
            p.Dispose();
        }

        Directory.Delete(_dir, recursive: true);
    }

    [Theory]
    [InlineData("echo fine", 0, "exit 0: fine")]
    [InlineData("echo slow; exit 1", 1, "exit 1: slow")]
    [InlineData("echo down; exit 2", 2, "exit 2: down")]
    [InlineData("exit 3", 3, "exit 3")]
    [InlineData("exit 7", 2, "exit 7")]
    public async Task CheckCommand_ExitCode_NagiosCodeAndOneLine(string command, int expected, string line)
    {
        var (code, stdout, _) = await TendProcess.RunAsync(null, "check", "command", command);
        Assert.Equal(expected, code);
        Assert.Equal(line + "\n", stdout);
    }

    [Fact]
    public async Task CheckTcp_ListeningAndClosedPort_PassingAndCritical()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        Assert.Equal(0, (await TendProcess.RunAsync(null, "check", "tcp", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture))).Code);
        listener.Stop();
        Assert.Equal(2, (await TendProcess.RunAsync(null, "check", "tcp", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture))).Code);
    }

    [Theory]
    [InlineData(new[] { "check", "service" }, "Option '-s' is required")]
    [InlineData(new[] { "check", "process", "-n", "-a 'open" }, "unclosed")]
    [InlineData(new[] { "check", "command", "true", "-S", "web" }, "no environment: set [health] environment")]
    [InlineData(new[] { "check", "command", "true", "--timeout", "soon" }, "--timeout")]
    public async Task Check_CannotRun_Exit3WithUnknownLine(string[] args, string reason)
    {
        var (code, stdout, _) = await TendProcess.RunAsync(null, [.. args, "--config", Write("empty.toml", string.Empty)]);
        Assert.Equal(3, code);
        Assert.StartsWith("UNKNOWN: ", stdout, StringComparison.Ordinal);
        Assert.Contains(reason, stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PowerconsulName_CheckAndTriggerOnTheFileStore_AsPowerconsulTookThem()
    {
        var name = "tendpc" + Guid.NewGuid().ToString("N")[..8];
        var config = FileStoreConfig(name, $"echo @HOST @ROLE >> {_dir}/fired");
        var powerconsul = Path.Combine(_dir, "bin", "powerconsul");
        Directory.CreateDirectory(Path.GetDirectoryName(powerconsul)!);
        File.CreateSymbolicLink(powerconsul, TendProcess.Executable);

        var (code, stdout, _) = await Run(powerconsul, "check", "process", "-n", $"-c 1:1 -C {name}", "-S", "web", "--config", config);
        Assert.Equal(2, code);
        Assert.StartsWith($"PROCS CRITICAL: 0 processes with command name '{name}'", stdout, StringComparison.Ordinal);

        StartNamed(name);
        (code, stdout, _) = await Run(powerconsul, "check", "process", "-n", $"-c 1:1 -C {name}", "-S", "web", "--config", config);
        Assert.True(code == 0, stdout);

        (code, _, var stderr) = await Run(powerconsul, "trigger", "critical", "-S", "web", "--config", config);
        Assert.True(code == 0, stderr);
        Assert.Equal("production-webserver1 webserver\n", File.ReadAllText(Path.Combine(_dir, "fired")));
    }

    [Fact]
    public async Task Run_FileStore_CheckRunsTriggerFiresAndStatusAndMetricsShowThem()
    {
        int port = FreePort.Next();
        var config = FileStoreConfig("unused", $"echo @ENV >> {_dir}/fired", $"\n[http]\nlisten = \"127.0.0.1:{port}\"\n");
        await using var agent = TendProcess.Start("run", "--config", config);
        string fired = Path.Combine(_dir, "fired");

        // The shell creates the file before echo writes to it: wait for the whole line, not for the file.
        await agent.WaitForOutputAsync(
            p => File.Exists(fired) && File.ReadAllText(fired).EndsWith('\n') && p.StdErr.Contains("has no ephemeral entries", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30));
        Assert.Equal("production\n", File.ReadAllText(fired));

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        string status = string.Empty;
        for (int i = 0; i < 100 && !status.Contains("\"runs\": 1", StringComparison.Ordinal); i++)
        {
            await Task.Delay(100);
            status = await agent.GetWhenListeningAsync(http, "/status");
        }

        using var doc = System.Text.Json.JsonDocument.Parse(status);
        var health = doc.RootElement.GetProperty("health");
        Assert.Equal("production", health.GetProperty("environment").GetString());
        var check = health.GetProperty("checks")[0];
        Assert.Equal(("web", "critical", "primary"), (check.GetProperty("service").GetString(), check.GetProperty("state").GetString(), check.GetProperty("role").GetString()));
        var trigger = health.GetProperty("triggers")[0];
        Assert.Equal(("/triggers/production/web/primary/critical", 1L, 0), (trigger.GetProperty("key").GetString(), trigger.GetProperty("runs").GetInt64(), trigger.GetProperty("last_exit_code").GetInt32()));

        var metrics = await http.GetStringAsync("/metrics");
        Assert.Contains("tend_health_check_state{service=\"web\"} 2\n", metrics, StringComparison.Ordinal);
        Assert.Contains("tend_health_trigger_runs_total{service=\"web\",role=\"primary\",state=\"critical\"} 1\n", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reload_HealthIdentityUnresolvable_RejectedBeforeRenderChanges()
    {
        var data = Write("data.yaml", "app:\n  name: one\n");
        var output = Path.Combine(_dir, "out.txt");
        Write("app.tmpl", "v1 {{getv \"/app/name\"}}\n");
        string Config(string hostname) => $"""
            [store]
            kind = "file"
            files = ["{data}"]

            [[render.template]]
            src = "app.tmpl"
            dest = "{output}"
            keys = ["/app"]

            [health]
            hostname = "{hostname}"

            [[health.check]]
            service = "web"
            type = "command"
            cmd = "true"
            interval = "1h"
            """;
        var config = Write("tend.toml", Config("production-webserver1"));
        await using var agent = TendProcess.Start("run", "--config", config);
        await agent.WaitForOutputAsync(_ => File.Exists(output) && File.ReadAllText(output) == "v1 one\n", TimeSpan.FromSeconds(30));

        // A new template and a host name the pattern cannot read an environment from: the whole reload is refused.
        Write("app.tmpl", "v2 {{getv \"/app/name\"}}\n");
        Write("tend.toml", Config("nodash"));
        await agent.SignalAsync("HUP");
        await agent.WaitForOutputAsync(p => p.StdErr.Contains("Reload rejected", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.Contains("no environment", agent.StdErr, StringComparison.Ordinal);
        await Task.Delay(500);
        Assert.Equal("v1 one\n", File.ReadAllText(output));
    }

    /// <summary>A file store holding the cluster (this node primary) and the primary/critical trigger; the node is production-webserver1 by the default pattern.</summary>
    private string FileStoreConfig(string process, string trigger, string extra = "")
    {
        var data = Write("data.yaml", $"""
            cluster:
              production:
                web: '{"{"}"active_nodes": ["production-webserver1"], "standby_nodes": ["production-webserver2"]{"}"}'
            triggers:
              production:
                web:
                  primary:
                    critical: '{trigger}'
            """);
        return Write("tend.toml", $"""
            [store]
            kind = "file"
            files = ["{data}"]

            [health]
            hostname = "production-webserver1"

            [[health.check]]
            service = "web"
            type = "process"
            arguments = "-c 1:1 -C {process}"
            interval = "200ms"
            {extra}
            """);
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static async Task<(int Code, string Out, string Err)> Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        return (p.ExitCode, stdout, await stderr);
    }

    private void StartNamed(string name)
    {
        var path = Path.Combine(_dir, name);
        File.Copy("/bin/sleep", path);
        _processes.Add(Process.Start(new ProcessStartInfo(path, "600") { UseShellExecute = false })!);
    }
}

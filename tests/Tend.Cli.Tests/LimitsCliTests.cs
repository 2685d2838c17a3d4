using System.Net;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Cli.Tests;

/// <summary>
/// The hostile sweep's duration and template cases, against the real binary: an overflowing
/// duration is a configuration error (exit 2, or a rejected reload), and hostile templates fail
/// with their limit while the process carries on.
/// </summary>
public sealed class LimitsCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tend-limits-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Run_OverflowingDuration_Exit2NamingFileLineAndKey()
    {
        Write("data.yaml", "a: 1\n");
        var config = Write("tend.toml", "[store]\nkind = \"file\"\nfiles = [\"data.yaml\"]\n\n[render]\nwait = \"1s:99999999999h\"\n");

        var (code, _, err) = await TendProcess.RunAsync(null, "run", "--config", config);

        Assert.Equal(2, code);
        Assert.Contains($"{config}:6:8: [render] wait must be at most 24h, not \"99999999999h\"", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_SighupWithOverflowingDuration_RejectedAndTheDaemonKeepsRunning()
    {
        Write("data.yaml", "hosts:\n  web1: up\n");
        int port = FreePort.Next();
        var good = $"[store]\nkind = \"file\"\nfiles = [\"data.yaml\"]\n[watch]\nprefixes = [\"/hosts\"]\n[http]\nlisten = \"127.0.0.1:{port}\"\n";
        var config = Write("tend.toml", good);
        await using var run = TendProcess.Start("run", "--config", config);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
        await WaitForHealthy(http, run);

        await File.WriteAllTextAsync(config, good + "[render]\ncheck_timeout = 99999999999\n");
        await run.SignalAsync("HUP");

        await run.WaitForOutputAsync(p => p.StdErr.Contains("Reload rejected", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.Contains("[render] check_timeout must be at most 24h", run.StdErr, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        await run.SignalAsync("TERM");
        Assert.Equal(0, await run.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Register_TtlBeyondTheBound_Exit2()
    {
        var ini = Write("config.cfg", "[web]\ncmd: true\nservice_port: 80\nzookeeper_path: /s\n");

        var (code, _, err) = await TendProcess.RunAsync(null, "register", "-c", ini, "-s", "127.0.0.1:1", "--ttl", "99999999999h");

        Assert.Equal(2, code);
        Assert.Contains("--ttl must be at most 24h, not \"99999999999h\"", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_IntervalBeyondTheBound_Exit2()
    {
        var data = Write("data.yaml", "a: 1\n");
        Write("confd/templates/a.tmpl", "{{getv \"/a\"}}");
        Write("confd/conf.d/a.toml", $"[template]\nsrc = \"a.tmpl\"\ndest = \"{Path.Combine(_dir, "a.out")}\"\nkeys = [\"/a\"]\n");

        var (code, _, err) = await TendProcess.RunAsync(null, "render", "--interval", "999999999", "--backend", "file", "--file", data, "--confdir", Path.Combine(_dir, "confd"));

        Assert.Equal(2, code);
        Assert.Contains("--interval must be at most 24h, not 999999999", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TemplateRender_CpuBound_Exit1NamingTheLimit()
    {
        var tmpl = Write("hog.tmpl", "{{$s := seq 1 100000}}{{range $s}}{{range $s}}{{end}}{{end}}");

        var (code, stdout, stderr) = await TendProcess.RunAsync(null, "template", "render", tmpl, "--timeout", "500ms");

        Assert.Equal(1, code);
        Assert.Empty(stdout);
        Assert.Matches(@"^hog\.tmpl:1:\d+: exceeded the time limit of 500ms$", stderr.Trim());
    }

    [Fact]
    public async Task TemplateRender_EagerSeqOfTwoBillion_Exit1NamingTheMemoryLimit()
    {
        var tmpl = Write("seq.tmpl", "{{len (seq 1 2000000000)}}");

        var (code, _, stderr) = await TendProcess.RunAsync(null, "template", "render", tmpl);

        Assert.Equal(1, code);
        Assert.Contains("seq of 2000000000 numbers exceeds the memory limit of 256 MiB", stderr, StringComparison.Ordinal);
    }

    /// <summary>
    /// The CPU- and memory-heavy cases of the sweep as one bounded stress run: every hostile template
    /// fails with its limit, the good one is written, and the process exits 1 on its own instead of
    /// running out of memory or spinning until killed.
    /// </summary>
    [Fact]
    public async Task RenderOnetime_HostileTemplates_EachStoppedByItsLimitAndTheGoodOneWritten()
    {
        var data = Write("data.yaml", "app:\n  port: 8080\n");
        var hostile = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["spin"] = "{{$s := seq 1 100000}}{{range $s}}{{range $s}}{{end}}{{end}}",
            ["seq"] = "{{range seq 1 2000000000}}{{.}}{{end}}",
            ["double"] = "{{define \"d\"}}{{template \"d\" (printf \"%s%s\" . .)}}{{end}}{{template \"d\" \"x\"}}",
            ["fork"] = "{{define \"f\"}}{{if lt (len .) 60}}{{template \"f\" (printf \"%sa\" .)}}{{template \"f\" (printf \"%sb\" .)}}{{end}}{{end}}{{template \"f\" \"\"}}",
            ["recurse"] = "{{define \"r\"}}{{template \"r\" .}}{{end}}{{template \"r\" .}}",
            ["replace"] = "{{$b := printf \"%1000000s\" \"\"}}{{replace $b \" \" $b -1}}",
            ["flood"] = "{{$s := seq 1 1000000}}{{range $s}}{{range $s}}0123456789{{end}}{{end}}",
        };
        foreach (var (name, text) in hostile)
        {
            // The CPU-bound ones meet a short time limit; the others a long one, so that even a loaded
            // machine shows the limit each is meant to meet.
            // Small output and memory bounds keep the whole run short on a loaded machine.
            var timeout = name is "spin" or "fork" ? "2s" : "10m";
            Write($"confd/templates/{name}.tmpl", text);
            Write($"confd/conf.d/{name}.toml", $"[template]\nsrc = \"{name}.tmpl\"\ndest = \"{Path.Combine(_dir, "out", name)}\"\nkeys = [\"/app\"]\ntemplate_timeout = \"{timeout}\"\nmax_output = \"4MiB\"\nmax_memory = \"16MiB\"\ncreate_dest_dirs = true\n");
        }

        Write("confd/templates/good.tmpl", "port={{getv \"/app/port\"}}\n");
        Write("confd/conf.d/good.toml", $"[template]\nsrc = \"good.tmpl\"\ndest = \"{Path.Combine(_dir, "out", "good")}\"\nkeys = [\"/app\"]\ncreate_dest_dirs = true\n");

        var (code, _, stderr) = await TendProcess.RunAsync(null, "render", "--onetime", "--backend", "file", "--file", data, "--confdir", Path.Combine(_dir, "confd"));

        Assert.True(code == 1, $"exit {code}\n{stderr}");
        Assert.Equal("port=8080\n", File.ReadAllText(Path.Combine(_dir, "out", "good")));
        Assert.Equal(["good"], Directory.GetFiles(Path.Combine(_dir, "out")).Select(Path.GetFileName));
        Assert.Contains("spin.tmpl", stderr, StringComparison.Ordinal);
        Assert.Contains("exceeded the time limit of 2s", stderr, StringComparison.Ordinal);
        Assert.Contains("seq of 2000000000 numbers exceeds the memory limit of 16 MiB", stderr, StringComparison.Ordinal);
        Assert.Contains("exceeded maximum template depth (100000)", stderr, StringComparison.Ordinal);
        Assert.Contains("replace result of 1000000000000 characters exceeds the memory limit", stderr, StringComparison.Ordinal);
        Assert.Contains("output exceeds the limit of 4 MiB", stderr, StringComparison.Ordinal);
    }

    private static async Task WaitForHealthy(HttpClient http, TendProcess run)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                if ((await http.GetAsync("/healthz")).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            Assert.True(DateTime.UtcNow < deadline, $"tend run never became healthy.\n{run.StdErr}");
            await Task.Delay(100);
        }
    }
}

using System.Diagnostics;
using System.Text.Json;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Cli.Tests;

/// <summary>Runs alone: these tests start many tend processes, and the load would stretch the start-up sleeps other CLI tests rely on.</summary>
[CollectionDefinition(nameof(RenderCliTests), DisableParallelization = true)]
public sealed class RenderCliCollection;

[Collection(nameof(RenderCliTests))]
public sealed class RenderCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tend-render-cli-").FullName;

    public RenderCliTests()
    {
        Write("data.yaml", "app:\n  hosts:\n    web1: 10.0.0.1\n    web2: 10.0.0.2\n  port: 8080\n");
        Write("confd/templates/hosts.tmpl", "{{range gets \"/hosts/*\"}}{{base .Key}}={{.Value}}:{{getv \"/port\"}}\n{{end}}");
        Write("confd/conf.d/hosts.toml", $"[template]\nsrc = \"hosts.tmpl\"\ndest = \"{Out}\"\nkeys = [\"/hosts\", \"/port\"]\nprefix = \"/app\"\n");
    }

    private string Out => Path.Combine(_dir, "hosts.out");

    private string Data => Path.Combine(_dir, "data.yaml");

    private string Confdir => Path.Combine(_dir, "confd");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    [Fact]
    public async Task Render_ConfdFlagsSingleDashOnetime_WritesFileAndExits0()
    {
        var (code, _, stderr) = await TendProcess.RunAsync(null, "render", "-onetime", "-backend", "file", "-file", Data, "-confdir", Confdir, "-log-level=warn");

        Assert.True(code == 0, stderr);
        Assert.Equal("web1=10.0.0.1:8080\nweb2=10.0.0.2:8080\n", File.ReadAllText(Out));
    }

    [Fact]
    public async Task Render_ConfdBackendFile_ValuesAsConfdsYamlDecoderGivesThem()
    {
        // Expected output recorded with confd 0.16 on the same confdir and data.
        WriteValuesCase();

        var (code, _, stderr) = await TendProcess.RunAsync(null, "render", "-onetime", "-backend", "file", "-file", Data, "-confdir", Confdir, "-log-level=warn");

        Assert.True(code == 0, stderr);
        Assert.Equal("8080|true|3.5|800|false|false|true[]|/hosts/0=web1,/hosts/2=8,\n", File.ReadAllText(Out));
    }

    [Fact]
    public async Task Render_FileStoreOfTendToml_ValuesKeepTheirText()
    {
        WriteValuesCase();
        Write(
            "tend.toml",
            $"[store]\nkind = \"file\"\nfiles = [\"{Data}\"]\n\n[[render.template]]\nsrc = \"{Path.Combine(Confdir, "templates", "hosts.tmpl")}\"\n" +
            $"dest = \"{Out}\"\nkeys = [\"/\"]\nprefix = \"/app\"\n");

        var (code, _, stderr) = await TendProcess.RunAsync(null, "render", "--onetime", "--config", Path.Combine(_dir, "tend.toml"), "--log-level=warn");

        Assert.True(code == 0, stderr);
        Assert.Equal("0x1F90|yes|3.50|0800|true|true|true[]|/hosts/0=web1,/hosts/1=,/hosts/2=010,\n", File.ReadAllText(Out));
    }

    private void WriteValuesCase()
    {
        Write("data.yaml", "app:\n  port: 0x1F90\n  enabled: yes\n  ratio: 3.50\n  mode: 0800\n  gone: ~\n  empty:\n  quoted: \"\"\n  hosts: [web1, ~, 010]\n");
        Write("confd/conf.d/hosts.toml", $"[template]\nsrc = \"hosts.tmpl\"\ndest = \"{Out}\"\nkeys = [\"/\"]\nprefix = \"/app\"\n");
        Write(
            "confd/templates/hosts.tmpl",
            "{{getv \"/port\"}}|{{getv \"/enabled\"}}|{{getv \"/ratio\"}}|{{getv \"/mode\"}}|{{exists \"/gone\"}}|{{exists \"/empty\"}}|" +
            "{{exists \"/quoted\"}}[{{getv \"/quoted\"}}]|{{range gets \"/hosts/*\"}}{{.Key}}={{.Value}},{{end}}\n");
    }

    [Fact]
    public async Task Render_ConfdFileFlagDirectory_ReadsEveryDataFileBelow()
    {
        Write("backends1/app/hosts.yaml", "app:\n  hosts:\n    web1: 10.0.0.1\n    web2: 10.0.0.2\n");
        Write("backends1/port.yml", "app:\n  port: 8080\n");

        var (code, _, stderr) = await TendProcess.RunAsync(null, "render", "-onetime", "-backend", "file", "--file", Path.Combine(_dir, "backends1") + "/", "-confdir", Confdir, "-log-level=warn");

        Assert.True(code == 0, stderr);
        Assert.Equal("web1=10.0.0.1:8080\nweb2=10.0.0.2:8080\n", File.ReadAllText(Out));
    }

    [Fact]
    public async Task Render_OnetimeMissingKey_Exit1AndNoFile()
    {
        Write("confd/templates/hosts.tmpl", "{{getv \"/nope\"}}");

        var (code, _, stderr) = await TendProcess.RunAsync(null, "render", "--onetime", "--backend", "file", "--file", Data, "--confdir", Confdir);

        Assert.Equal(1, code);
        Assert.Contains("/nope", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Out));
    }

    [Fact]
    public async Task Render_ConfdCommandLineMissingMapKey_PrintsNoValueAndSucceeds()
    {
        // Expected output recorded with confd 0.16 on the same confdir and data.
        Write("data.yaml", "app:\n  j: '{\"a\": 1, \"b\": {\"c\": \"x\"}}'\n");
        Write("confd/conf.d/hosts.toml", $"[template]\nsrc = \"hosts.tmpl\"\ndest = \"{Out}\"\nkeys = [\"/j\"]\nprefix = \"/app\"\n");
        Write("confd/templates/hosts.tmpl", "{{$m := json (getv \"/j\")}}{{$m.a}}|{{$m.missing}}|{{$m.b.c}}|{{$m.b.nope}}|{{index $m \"zz\"}}|{{$x := map \"k\" \"v\"}}{{$x.q}}|\n");

        var (code, _, stderr) = await TendProcess.RunAsync(null, "render", "-onetime", "-backend", "file", "-file", Data, "-confdir", Confdir, "-log-level=warn");

        Assert.True(code == 0, stderr);
        Assert.Equal("1|<no value>|x|<no value>|<no value>|<no value>|\n", File.ReadAllText(Out));
    }

    [Fact]
    public async Task Render_Noop_PrintsDiffWritesNothing()
    {
        File.WriteAllText(Out, "web1=10.0.0.1:8080\n");

        var (code, stdout, stderr) = await TendProcess.RunAsync(null, "render", "-onetime", "-noop", "-backend", "file", "-file", Data, "-confdir", Confdir);

        Assert.True(code == 0, stderr);
        Assert.Equal("web1=10.0.0.1:8080\n", File.ReadAllText(Out));
        Assert.Contains("+web2=10.0.0.2:8080\n", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_ReconfigCfgdir_DotIsTheKeyMap()
    {
        Write("reconfig/templates/t.tmpl", "{{range $k, $v := .}}{{$k}} {{$v}}\n{{end}}");
        Write("reconfig/conf.d/t.json", $"{{\"id\": \"t\", \"source\": \"t.tmpl\", \"target\": \"{Out}\", \"key\": \"/app/hosts\", \"recursive\": true}}");

        var (code, _, stderr) = await TendProcess.RunAsync(null, "render", "-o", "-c", Path.Combine(_dir, "reconfig"), "--file", Data);

        Assert.True(code == 0, stderr);
        Assert.Equal("/app/hosts/web1 10.0.0.1\n/app/hosts/web2 10.0.0.2\n", File.ReadAllText(Out));
    }

    [Theory]
    [InlineData("--host", "127.0.0.1")]
    [InlineData("--port", "4001")]
    [InlineData("-n", null)]
    [InlineData("-d", null)]
    public async Task Render_ReconfigFlagWithoutCfgdir_DefaultCfgdirIsEtcReconfig(string flag, string? value)
    {
        string[] args = value is null ? ["render", "-o", flag] : ["render", "--onetime", flag, value];

        var (code, _, stderr) = await TendProcess.RunAsync(null, args);

        Assert.Equal(2, code);
        Assert.Contains("/etc/reconfig/conf.d", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("/etc/confd", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-p", "app/hosts")]
    [InlineData("--prefix", "app")]
    public async Task Render_ReconfigPrefixWithoutLeadingSlash_Exit2(string flag, string prefix)
    {
        Write("reconfig/templates/t.tmpl", "x");
        Write("reconfig/conf.d/t.json", $"{{\"id\": \"t\", \"source\": \"t.tmpl\", \"target\": \"{Out}\", \"key\": \"/hosts\"}}");

        var (code, _, stderr) = await TendProcess.RunAsync(null, "render", "-o", "-c", Path.Combine(_dir, "reconfig"), flag, prefix, "--file", Data);

        Assert.Equal(2, code);
        Assert.Contains("must start with '/'", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Out));
    }

    [Fact]
    public async Task Render_ReconfigShortPrefix_JoinsKeys()
    {
        Write("reconfig/templates/t.tmpl", "{{range $k, $v := .}}{{$k}} {{$v}}\n{{end}}");
        Write("reconfig/conf.d/t.json", $"{{\"id\": \"t\", \"source\": \"t.tmpl\", \"target\": \"{Out}\", \"key\": \"/hosts\", \"recursive\": true}}");

        var (code, _, stderr) = await TendProcess.RunAsync(null, "render", "-o", "-c", Path.Combine(_dir, "reconfig"), "-p", "/app", "--file", Data);

        Assert.True(code == 0, stderr);
        Assert.Equal("/hosts/web1 10.0.0.1\n/hosts/web2 10.0.0.2\n", File.ReadAllText(Out));
    }

    [Fact]
    public async Task ReconfigName_NoCfgdir_DefaultIsEtcReconfig()
    {
        var reconfig = Path.Combine(_dir, "reconfig-bin", "reconfig");
        Directory.CreateDirectory(Path.GetDirectoryName(reconfig)!);
        File.CreateSymbolicLink(reconfig, TendProcess.Executable);
        var psi = new ProcessStartInfo(reconfig) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add("--onetime");

        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);

        Assert.Equal(2, p.ExitCode);
        Assert.Contains("/etc/reconfig/conf.d", await stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_UnknownBackend_Exit2()
    {
        var (code, _, stderr) = await TendProcess.RunAsync(null, "render", "-onetime", "-backend", "redis", "-confdir", Confdir);

        Assert.Equal(2, code);
        Assert.Contains("unknown backend 'redis'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_BackendEtcdV2_Exit2NamingEtcdv3()
    {
        var (code, _, stderr) = await TendProcess.RunAsync(null, "render", "-onetime", "-backend", "etcd", "-node", "http://127.0.0.1:1", "-confdir", Confdir);

        Assert.Equal(2, code);
        Assert.Contains("etcd v2", stderr, StringComparison.Ordinal);
        Assert.Contains("-backend etcdv3", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_ConfdTomlBackendEtcdV2_Exit2NamingEtcdv3()
    {
        Write("confd.toml", "backend = \"etcd\"\nnodes = [\"http://127.0.0.1:1\"]\n");

        var (code, _, stderr) = await TendProcess.RunAsync(null, "render", "-onetime", "-config-file", Path.Combine(_dir, "confd.toml"), "-confdir", Confdir);

        Assert.Equal(2, code);
        Assert.Contains("-backend etcdv3", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_DuplicateDestInConfdir_Exit2NamingBothFiles()
    {
        Write("confd/conf.d/again.toml", $"[template]\nsrc = \"hosts.tmpl\"\ndest = \"{Out}\"\nkeys = [\"/hosts\"]\n");

        var (code, _, stderr) = await TendProcess.RunAsync(null, "render", "-onetime", "-backend", "file", "-file", Data, "-confdir", Confdir);

        Assert.Equal(2, code);
        Assert.Contains("again.toml", stderr, StringComparison.Ordinal);
        Assert.Contains("hosts.toml", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfdName_ConfdCommandLine_Renders()
    {
        var apphost = TendProcess.Executable;
        Assert.True(File.Exists(apphost), $"tend missing: {apphost}");
        var confd = Path.Combine(_dir, "confd-bin", "confd");
        Directory.CreateDirectory(Path.GetDirectoryName(confd)!);
        File.CreateSymbolicLink(confd, apphost);
        var psi = new ProcessStartInfo(confd) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "-onetime", "-backend", "file", "-file", Data, "-confdir", Confdir })
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);

        Assert.True(p.ExitCode == 0, await stderr);
        Assert.Equal("web1=10.0.0.1:8080\nweb2=10.0.0.2:8080\n", File.ReadAllText(Out));
    }

    [Fact]
    public async Task Run_FileStoreEdited_FileReRendered()
    {
        Write("tend.toml", $"[store]\nkind = \"file\"\nfiles = [\"data.yaml\"]\n\n[render]\nconfdir = \"confd\"\n");
        await using var tend = TendProcess.Start("run", "--config", Path.Combine(_dir, "tend.toml"));
        await tend.WaitForOutputAsync(_ => File.Exists(Out) && File.ReadAllText(Out).Contains("10.0.0.2", StringComparison.Ordinal), TimeSpan.FromSeconds(30));

        File.WriteAllText(Data, "app:\n  hosts:\n    web1: 10.0.0.1\n    web3: 10.0.0.3\n  port: 9090\n");

        await tend.WaitForOutputAsync(_ => File.ReadAllText(Out) == "web1=10.0.0.1:9090\nweb3=10.0.0.3:9090\n", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Run_SighupAfterTemplateEdit_ReRendersWithNewTemplate()
    {
        Write("tend.toml", "[store]\nkind = \"file\"\nfiles = [\"data.yaml\"]\n\n[render]\nconfdir = \"confd\"\n");
        await using var tend = TendProcess.Start("run", "--config", Path.Combine(_dir, "tend.toml"));
        await tend.WaitForOutputAsync(_ => File.Exists(Out), TimeSpan.FromSeconds(30));

        Write("confd/templates/hosts.tmpl", "port {{getv \"/port\"}}\n");
        await tend.SignalAsync("HUP");

        await tend.WaitForOutputAsync(_ => File.ReadAllText(Out) == "port 8080\n", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Render_OnetimeOneTemplateDoesNotParseOneMissing_OthersRenderExitNonZeroWithPositions()
    {
        var bad = Path.Combine(_dir, "bad.out");
        var missing = Path.Combine(_dir, "missing.out");
        Write("bad.out", "old bad\n");
        Write("missing.out", "old missing\n");
        Write("confd/templates/bad.tmpl", "ok\n{{if}}\n");
        Write("confd/conf.d/bad.toml", $"[template]\nsrc = \"bad.tmpl\"\ndest = \"{bad}\"\nkeys = [\"/app\"]\n");
        Write("confd/conf.d/missing.toml", $"[template]\nsrc = \"nope.tmpl\"\ndest = \"{missing}\"\nkeys = [\"/app\"]\n");

        var (code, _, stderr) = await TendProcess.RunAsync(null, "render", "-onetime", "-backend", "file", "-file", Data, "-confdir", Confdir);

        Assert.NotEqual(0, code);
        Assert.Contains("bad.tmpl:2:", stderr, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(Confdir, "templates", "nope.tmpl"), stderr, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(Confdir, "conf.d", "missing.toml") + ":1", stderr, StringComparison.Ordinal);
        Assert.Equal("web1=10.0.0.1:8080\nweb2=10.0.0.2:8080\n", File.ReadAllText(Out));
        Assert.Equal("old bad\n", File.ReadAllText(bad));
        Assert.Equal("old missing\n", File.ReadAllText(missing));
    }

    [Fact]
    public async Task Run_SighupBreaksOneTemplate_OthersTakeTheNewConfigurationBrokenFileKept()
    {
        var second = Path.Combine(_dir, "second.out");
        Write("confd/templates/second.tmpl", "port={{getv \"/app/port\"}}\n");
        Write("confd/conf.d/second.toml", $"[template]\nsrc = \"second.tmpl\"\ndest = \"{second}\"\nkeys = [\"/app\"]\n");
        Write("tend.toml", "[store]\nkind = \"file\"\nfiles = [\"data.yaml\"]\n\n[render]\nconfdir = \"confd\"\n");
        await using var tend = TendProcess.Start("run", "--config", Path.Combine(_dir, "tend.toml"));
        await tend.WaitForOutputAsync(_ => File.Exists(Out) && File.Exists(second), TimeSpan.FromSeconds(30));
        var before = File.ReadAllText(Out);

        Write("confd/templates/hosts.tmpl", "ok\n{{end}}\n");
        Write("confd/templates/second.tmpl", "port is {{getv \"/app/port\"}}\n");
        await tend.SignalAsync("HUP");

        await tend.WaitForOutputAsync(p => File.ReadAllText(second) == "port is 8080\n" && p.StdErr.Contains("hosts.tmpl:2:", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.Equal(before, File.ReadAllText(Out));
        Assert.DoesNotContain("reload rejected", tend.StdErr, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Render_Version_PrintsVersion()
    {
        var (code, stdout, _) = await TendProcess.RunAsync(null, "render", "-version");

        Assert.Equal(0, code);
        Assert.StartsWith("tend ", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_StatusEndpoint_ShowsEachTemplatesRenderAndError()
    {
        Write("confd/templates/broken.tmpl", "{{getv \"/missing\"}}");
        Write("confd/conf.d/broken.toml", $"[template]\nsrc = \"broken.tmpl\"\ndest = \"{Path.Combine(_dir, "broken.out")}\"\nkeys = [\"/missing\"]\n");
        int port = FreePort.Next();
        Write("tend.toml", $"[store]\nkind = \"file\"\nfiles = [\"data.yaml\"]\n[http]\nlisten = \"127.0.0.1:{port}\"\n[render]\nconfdir = \"confd\"\n");
        await using var tend = TendProcess.Start("run", "--config", Path.Combine(_dir, "tend.toml"));
        await tend.WaitForOutputAsync(p => p.StdErr.Contains("Render of broken failed", StringComparison.Ordinal) && File.Exists(Out), TimeSpan.FromSeconds(30));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };

        // The HTTP listener starts beside the modules, so the first render can come before it listens.
        using var status = JsonDocument.Parse(await tend.GetWhenListeningAsync(http, "/status"));

        var render = status.RootElement.GetProperty("render").EnumerateArray().ToDictionary(e => e.GetProperty("id").GetString()!);
        Assert.Contains("/missing", render["broken"].GetProperty("last_error").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, render["broken"].GetProperty("last_render").ValueKind);
        Assert.Equal(JsonValueKind.Null, render["hosts"].GetProperty("last_error").ValueKind);
        Assert.Equal(1, render["hosts"].GetProperty("writes").GetInt64());
        Assert.Equal("full", render["hosts"].GetProperty("durability").GetString());
        Assert.Equal(JsonValueKind.Null, render["hosts"].GetProperty("durability_note").ValueKind);
        Assert.Equal(JsonValueKind.Null, render["broken"].GetProperty("durability").ValueKind);
        Assert.True(render["hosts"].GetProperty("revision").GetInt64() > 0);
    }

    [Fact]
    public async Task Render_ConfdTomlConfigFile_SettingsUsedFlagsWin()
    {
        Write("confd.toml", $"backend = \"file\"\nfile = [\"{Data}\"]\nconfdir = \"{Confdir}\"\nonetime = true\nprefix = \"/nothing-here\"\n");

        var (code, _, stderr) = await TendProcess.RunAsync(null, "render", "-config-file", Path.Combine(_dir, "confd.toml"), "-prefix", "/");

        Assert.True(code == 0, stderr);
        Assert.Equal("web1=10.0.0.1:8080\nweb2=10.0.0.2:8080\n", File.ReadAllText(Out));
    }

    [Fact]
    public async Task Run_DataKeyNotACleanPathAndTwoDestsWithOneName_ReportedInStatusAndUniqueMetrics()
    {
        Write("data.yaml", "app:\n  hosts:\n    web1: 10.0.0.1\n    \"web//2\": 10.0.0.2\n  port: 8080\n");
        Directory.CreateDirectory(Path.Combine(_dir, "east"));
        Directory.CreateDirectory(Path.Combine(_dir, "west"));
        int port = FreePort.Next();
        var twoDests = string.Concat(new[] { "east", "west" }.Select(d =>
            $"[[render.template]]\nsrc = \"confd/templates/hosts.tmpl\"\ndest = \"{d}/hosts.out\"\nkeys = [\"/hosts\", \"/port\"]\nprefix = \"/app\"\n"));
        Write("tend.toml", $"[store]\nkind = \"file\"\nfiles = [\"data.yaml\"]\n[http]\nlisten = \"127.0.0.1:{port}\"\n[render]\nconfdir = \"confd\"\n" + twoDests);
        await using var tend = TendProcess.Start("run", "--config", Path.Combine(_dir, "tend.toml"));
        await tend.WaitForOutputAsync(_ => new[] { Out, Path.Combine(_dir, "east", "hosts.out"), Path.Combine(_dir, "west", "hosts.out") }.All(File.Exists), TimeSpan.FromSeconds(30));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };

        using var status = JsonDocument.Parse(await tend.GetWhenListeningAsync(http, "/status"));
        var metrics = await http.GetStringAsync("/metrics");

        Assert.Equal("web1=10.0.0.1:8080\n", File.ReadAllText(Out));
        // Counted per read: the data file's directory also receives the rendered file, which makes the store look again.
        Assert.InRange(status.RootElement.GetProperty("skipped_keys").GetInt64(), 1, 100);
        Assert.Equal("/app/hosts/web//2", status.RootElement.GetProperty("last_skipped_key").GetString());
        Assert.Contains("Ignoring key \"/app/hosts/web//2\"", tend.StdErr, StringComparison.Ordinal);
        Assert.Matches(@"\ntend_store_skipped_keys_total [1-9][0-9]*\n", metrics);

        // The two templates' dests share a file name: each series is there once, so Prometheus accepts the scrape.
        var series = metrics.Split('\n').Where(l => l.StartsWith("tend_render_writes_total{", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, series.Count);
        Assert.Equal(series.Count, series.Select(l => l[..l.LastIndexOf(' ')]).Distinct(StringComparer.Ordinal).Count());
        Assert.Contains("tend_render_writes_total{id=\"hosts\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_CheckCommandDoesNotParse_Exit2NamingTheResource()
    {
        Write("confd/conf.d/hosts.toml", $"[template]\nsrc = \"hosts.tmpl\"\ndest = \"{Out}\"\nkeys = [\"/hosts\"]\nprefix = \"/app\"\ncheck_cmd = \"check {{{{.src}}\"\n");
        Write("tend.toml", "[store]\nkind = \"file\"\nfiles = [\"data.yaml\"]\n\n[render]\nconfdir = \"confd\"\n");

        var (code, _, stderr) = await TendProcess.RunAsync(null, "run", "--config", Path.Combine(_dir, "tend.toml"));

        Assert.Equal(2, code);
        Assert.Contains("hosts.toml:1: check_cmd: ", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Out));
    }
}

using System.Text.Json;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Cli.Tests;

/// <summary><c>tend run</c> with <c>[hooks]</c> and <c>tend hooks --daemon-cfg</c>, on a real etcd and a real Nagios configuration.</summary>
public sealed class HooksCliTests(EtcdServer etcd) : IClassFixture<EtcdServer>, IAsyncLifetime
{
    private const string StagedConfig = "{{.config}}";
    private readonly string _dir = Directory.CreateTempSubdirectory("tend-hooks-cli-").FullName;
    private readonly string _prefix = "/hooks-cli-" + Guid.NewGuid().ToString("N")[..8];
    private NagiosInstance _nagios = null!;

    private string HostsFile => Path.Combine(_nagios.ConfD, "flex-hosts.cfg");

    private string GroupsFile => Path.Combine(_nagios.ConfD, "flex-groups.cfg");

    public Task InitializeAsync()
    {
        _nagios = NagiosInstance.Create();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _nagios.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Run_HooksSection_GeneratesRunsHooksAndSighupReconfiguresThem()
    {
        int port = FreePort.Next();
        var reloads = Path.Combine(_dir, "reloads");
        var logA = Path.Combine(_dir, "a.log");
        var logB = Path.Combine(_dir, "b.log");
        var config = Path.Combine(_dir, "tend.toml");
        string Toml(string groupName, string hook, string log, string extra = "") => $"""
            [store]
            kind = "etcd"
            endpoints = ["{etcd.ClientUrl}"]
            prefix = "{_prefix}"

            [http]
            listen = "127.0.0.1:{port}"

            [hooks.nagios]
            hosts_file = "{HostsFile}"
            hostgroup_name = "{groupName}"
            main_config = "{_nagios.MainConfig}"
            check_cmd = "{_nagios.Binary} -v {StagedConfig}"
            reload_cmd = "echo reload >> {reloads}"
            wait = "0s"
            {extra}

            [[hooks.exec]]
            id = "{hook}"
            prefix = "/site/web"
            command = "echo \"$TEND_ACTION $TEND_KEY $TEND_VALUE\" >> {log}"
            """;
        await File.WriteAllTextAsync(config, Toml("{type}", "a", logA));
        await using var tend = TendProcess.Start("run", "--config", config);
        await tend.WaitForOutputAsync(_ => File.Exists(HostsFile) && Lines(reloads).Count == 1, TimeSpan.FromSeconds(60));

        await AddHostsAsync("800", "800");
        await tend.WaitForOutputAsync(_ => Lines(logA).Count == 1 && File.ReadAllText(HostsFile).Contains("site-extapi-800", StringComparison.Ordinal) && Lines(reloads).Count == 2, TimeSpan.FromSeconds(60));
        Assert.Equal([$"put /site/web/800 created"], Lines(logA));
        Assert.Equal(0, (await _nagios.VerifyAsync()).ExitCode);

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        using (var status = JsonDocument.Parse(await tend.GetWhenListeningAsync(http, "/status")))
        {
            var hooks = status.RootElement.GetProperty("hooks");
            Assert.Equal(3, hooks.GetProperty("nagios").GetProperty("hosts").GetInt32());
            Assert.Equal(2, hooks.GetProperty("nagios").GetProperty("reloads").GetInt32());
            Assert.Equal("a", hooks.GetProperty("exec")[0].GetProperty("id").GetString());
            Assert.Equal(1, hooks.GetProperty("exec")[0].GetProperty("runs").GetInt32());
        }

        var metrics = await http.GetStringAsync("/metrics");
        Assert.Contains("tend_nagios_hosts 3\n", metrics, StringComparison.Ordinal);
        Assert.Contains("tend_nagios_reloads_total 2\n", metrics, StringComparison.Ordinal);
        Assert.Contains("tend_hooks_exec_runs_total{hook=\"a\"} 1\n", metrics, StringComparison.Ordinal);

        // SIGHUP with another hook and another hostgroup pattern: both take effect at once.
        await File.WriteAllTextAsync(config, Toml("{root}-{type}", "b", logB));
        await tend.SignalAsync("HUP");
        await tend.WaitForOutputAsync(_ => File.ReadAllText(GroupsFile).Contains("hostgroup_name  site-web\n", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        await AddHostsAsync("801", "801");
        await tend.WaitForOutputAsync(_ => Lines(logB).Count == 1, TimeSpan.FromSeconds(60));
        Assert.Equal([$"put /site/web/801 created"], Lines(logB));

        // A bad [hooks] section is refused with its position; the running hooks go on.
        await File.WriteAllTextAsync(config, Toml("{root}-{type}", "b", logB, "ssh_port = 0"));
        await tend.SignalAsync("HUP");
        await tend.WaitForOutputAsync(t => t.StdErr.Contains("Reload rejected", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.Contains($"{config}:16:12: [hooks.nagios] ssh_port must be between 1 and 65535", tend.StdErr, StringComparison.Ordinal);
        await AddHostsAsync("802", "802");
        await tend.WaitForOutputAsync(_ => Lines(logB).Count == 2, TimeSpan.FromSeconds(60));
        Assert.Equal([$"put /site/web/800 created"], Lines(logA));
    }

    [Fact]
    public async Task Hooks_DaemonCfg_EtcdhooksSettingsDriveStoreRootPortAndFiles()
    {
        int port = FreePort.Next();
        var root = "/pods-" + Guid.NewGuid().ToString("N")[..8];
        var hostList = Path.Combine(_dir, "hosts.txt");
        var reloads = Path.Combine(_dir, "reloads");
        var daemonCfg = Path.Combine(_dir, "daemon.cfg");
        await File.WriteAllTextAsync(daemonCfg, $"""
            # etcdhooks' own configuration
            nagios_host_file={HostsFile}
            nagios_groups_file={GroupsFile}
            host_list_file=hosts.txt
            etcd_server_list={new Uri(etcd.ClientUrl).Authority}
            web_listen_port={port}
            etcd_watch_root_url={root}/
            file_rewrite_interval=1
            nagios_cmd=/usr/sbin/nagios
            """);
        await File.WriteAllTextAsync(Path.Combine(_dir, "log.cfg"), "loglevel=info\nstacktrace=false\n");
        var config = Path.Combine(_dir, "tend.toml");
        await File.WriteAllTextAsync(config, $"""
            [hooks.nagios]
            hosts_file = "replaced-by-daemon-cfg.cfg"
            main_config = "{_nagios.MainConfig}"
            check_cmd = "{_nagios.Binary} -v {StagedConfig}"
            reload_cmd = "echo reload >> {reloads}"
            """);

        await using var tend = TendProcess.Start("hooks", "--daemon-cfg", daemonCfg, "--config", config);
        await tend.WaitForOutputAsync(_ => File.Exists(HostsFile) && File.Exists(hostList), TimeSpan.FromSeconds(60));
        var (code, _, err) = await TendProcess.RunAsync(null, "hosts", "add", "800", "801", "--root", root, "--store", "etcd", "--endpoint", etcd.ClientUrl);
        Assert.True(code == 0, err);

        await tend.WaitForOutputAsync(_ => Lines(hostList).Count == 6 && Lines(reloads).Count == 2, TimeSpan.FromSeconds(60));
        var rootName = root[1..];
        Assert.Equal(new[] { "extapi", "papi", "web" }.SelectMany(t => new[] { $"{rootName}-{t}-800", $"{rootName}-{t}-801" }), Lines(hostList));
        Assert.Contains($"members         {rootName}-web-800,{rootName}-web-801\n", File.ReadAllText(GroupsFile), StringComparison.Ordinal);
        Assert.Equal(0, (await _nagios.VerifyAsync()).ExitCode);
        Assert.Contains($"{daemonCfg}:9: nagios_cmd", tend.StdErr, StringComparison.Ordinal);

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var all = await tend.GetWhenListeningAsync(http, "/getall");
        Assert.StartsWith($"{{\"{rootName}-extapi-800\":\"created\",", all, StringComparison.Ordinal);
    }

    private async Task AddHostsAsync(string start, string end)
    {
        var (code, _, err) = await TendProcess.RunAsync(null, "hosts", "add", start, end, "--store", "etcd", "--endpoint", etcd.ClientUrl, "--prefix", _prefix);
        Assert.True(code == 0, err);
    }

    private static List<string> Lines(string path) => File.Exists(path) ? [.. File.ReadAllLines(path)] : [];
}

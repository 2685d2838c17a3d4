using Microsoft.Extensions.Logging;
using Tend.Core.Config;
using Tend.Modules.Hooks;
using Tend.Modules.Hooks.Nagios;
using Tend.Modules.Tests.Render;
using Tend.Testing;
using Xunit;

namespace Tend.Modules.Tests.Hooks;

public sealed class EtcdhooksConfigLoaderTests : IDisposable
{
    private readonly TempDir _dir = new();

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Tend.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Tend.slnx not found above the test binaries");
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Load_DaemonAndLogCfg_EverySettingRead()
    {
        var daemon = _dir.File("daemon.cfg", """
            # etcdhooks
            nagios_host_file=/etc/nagios/conf.d/flex-hosts.cfg
            nagios_groups_file = /etc/nagios/conf.d/flex-groups.cfg
            host_list_file="hosts.txt"
            etcd_server_list=10.0.0.1:2379, http://10.0.0.2:2379,https://etcd3.example.com:2379
            web_listen_port=3000
            etcd_watch_root_url=/site/
            file_rewrite_interval=15
            something_else=1
            """);
        var log = _dir.File("log.cfg", "loglevel=debug\nstacktrace=true\n");

        var s = EtcdhooksConfigLoader.Load(daemon, log);

        Assert.Equal("/etc/nagios/conf.d/flex-hosts.cfg", s.HostsFile);
        Assert.Equal("/etc/nagios/conf.d/flex-groups.cfg", s.GroupsFile);
        Assert.Equal(Path.Combine(_dir.Path, "hosts.txt"), s.HostListFile);
        Assert.Equal(["http://10.0.0.1:2379", "http://10.0.0.2:2379", "https://etcd3.example.com:2379"], s.EtcdEndpoints);
        Assert.Equal(3000, s.WebListenPort);
        Assert.Equal("/site", s.Root);
        Assert.Equal(TimeSpan.FromSeconds(15), s.FileRewriteInterval);
        Assert.Equal(LogLevel.Debug, s.LogLevel);
        Assert.True(s.StackTraces);
        Assert.Equal([$"{daemon}:9: something_else"], s.UnknownKeys);
    }

    [Fact]
    public void Parse_RootAsEtcdV2Url_KeyPathBelowKeys()
    {
        var s = EtcdhooksConfigLoader.Parse("daemon.cfg", "etcd_watch_root_url=http://127.0.0.1:2379/v2/keys/site/\n", new EtcdhooksSettings(), log: false);

        Assert.Equal("/site", s.Root);
    }

    [Theory]
    [InlineData("web_listen_port=http\n", 1, "web_listen_port: must be a port number")]
    [InlineData("\n\netcd_server_list=ftp://x:1\n", 3, "is not an etcd endpoint")]
    [InlineData("etcd_watch_root_url=/\n", 1, "the root cannot be /")]
    [InlineData("file_rewrite_interval=-3\n", 1, "must be a duration such as")]
    [InlineData("just words\n", 1, "expected key=value")]
    public void Parse_BadValue_ErrorNamesFileAndLine(string text, int line, string message)
    {
        var ex = Assert.Throws<ConfigException>(() => EtcdhooksConfigLoader.Parse("/opt/etcd/daemon.cfg", text, new EtcdhooksSettings(), log: false));

        Assert.Equal(("/opt/etcd/daemon.cfg", line), (ex.File, ex.Line));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BadLogLevel_ErrorNamesLogCfg()
    {
        var ex = Assert.Throws<ConfigException>(() => EtcdhooksConfigLoader.Parse("log.cfg", "stacktrace=false\nloglevel=chatty\n", new EtcdhooksSettings(), log: true));

        Assert.Equal(("log.cfg", 2), (ex.File, ex.Line));
    }

    [Fact]
    public void ApplyTo_NoTendToml_EtcdhooksBehaviour()
    {
        var s = new EtcdhooksSettings { HostsFile = "/n/flex-hosts.cfg", FileRewriteInterval = TimeSpan.FromSeconds(15) };

        var n = EtcdhooksConfigLoader.ApplyTo(s, null);

        Assert.Equal(("/n/flex-hosts.cfg", "/n/flex-groups.cfg"), (n.HostsFile, n.GroupsFile));
        Assert.True(n.SshReset);
        Assert.Equal(new ChangeWait(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(15)), n.Wait);
    }

    [Fact]
    public void ApplyTo_TendTomlNagios_DaemonCfgWinsForWhatItSets()
    {
        var current = new NagiosOptions { HostsFile = "/a/h.cfg", GroupsFile = "/a/g.cfg", HostListFile = "/a/l", CheckCommand = "check", SshReset = false };

        var n = EtcdhooksConfigLoader.ApplyTo(new EtcdhooksSettings { GroupsFile = "/b/g.cfg" }, current);

        Assert.Equal(("/a/h.cfg", "/b/g.cfg", "/a/l", "check", false), (n.HostsFile, n.GroupsFile, n.HostListFile, n.CheckCommand, n.SshReset));
    }

    [Fact]
    public void Examples_EtcdhooksFolder_ParseAsDocumented()
    {
        var dir = Path.Combine(RepoRoot(), "examples", "etcdhooks");

        var settings = EtcdhooksConfigLoader.Load(Path.Combine(dir, "daemon.cfg"), Path.Combine(dir, "log.cfg"));
        var config = TendConfigLoader.Parse(Path.Combine(dir, "tend.toml"), File.ReadAllText(Path.Combine(dir, "tend.toml")), [new HooksConfigReader()]);

        Assert.Empty(settings.UnknownKeys);
        Assert.Equal(["http://127.0.0.1:2379"], settings.EtcdEndpoints);
        var hooks = config.Module<HooksOptions>("hooks")!;
        Assert.Equal(settings.HostsFile, hooks.Nagios!.HostsFile);
        Assert.Equal("log-hosts", Assert.Single(hooks.Exec).Id);
    }

    [Fact]
    public void ApplyTo_NoHostsFileAnywhere_ConfigError()
    {
        Assert.Throws<ConfigException>(() => EtcdhooksConfigLoader.ApplyTo(new EtcdhooksSettings(), null));
    }
}

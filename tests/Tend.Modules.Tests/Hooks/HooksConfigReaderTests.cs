using Tend.Core.Config;
using Tend.Modules.Hooks;
using Tend.Modules.Hooks.Exec;
using Tend.Modules.Hooks.Nagios;
using Tend.Modules.Tests.Render;
using Tend.Testing;
using Xunit;

namespace Tend.Modules.Tests.Hooks;

public sealed class HooksConfigReaderTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Read_HostsFileOnly_DebianDefaultsAndGroupsBeside()
    {
        var hooks = Parse("""
            [hooks.nagios]
            hosts_file = "conf.d/flex-hosts.cfg"
            """);

        var n = Assert.IsType<NagiosOptions>(hooks.Nagios);
        Assert.Equal(Path.Combine(_dir.Path, "conf.d", "flex-hosts.cfg"), n.HostsFile);
        Assert.Equal(Path.Combine(_dir.Path, "conf.d", "flex-groups.cfg"), n.GroupsFile);
        Assert.Null(n.HostListFile);
        Assert.Equal("site-host", n.HostTemplate);
        Assert.Equal("/usr/sbin/nagios4 -v {{.config}}", n.CheckCommand);
        Assert.Equal("/etc/nagios4/nagios.cfg", n.MainConfig);
        Assert.Equal("/var/run/nagios4/nagios4.pid", n.PidFile);
        Assert.Null(n.ReloadCommand);
        Assert.False(n.SshReset);
        Assert.Equal("nagios", n.SshUser);
        Assert.Equal(new ChangeWait(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(15)), n.Wait);
        Assert.Equal("/site", hooks.Inventory.Root);
        Assert.Empty(hooks.Exec);
    }

    [Fact]
    public void Read_EveryKey_Applied()
    {
        var tmpl = _dir.File("h.tmpl", "{{range .Hosts}}{{.Name}}\n{{end}}");
        var hooks = Parse($"""
            [hooks.nagios]
            root = "/pods"
            host_name = "{"{type}{ordinal}"}.example.com"
            host_template = "generic-host"
            hostgroup_name = "{"{root}-{type}"}"
            address = "{"{name}"}"
            hosts_file = "/etc/nagios4/conf.d/a.cfg"
            groups_file = "/etc/nagios4/conf.d/b.cfg"
            host_list_file = "/var/lib/hosts.txt"
            hosts_template = "h.tmpl"
            main_config = "/etc/nagios/nagios.cfg"
            check_cmd = "nagios -v {"{{.main_config}}"}"
            check_timeout = "5s"
            reload_cmd = "systemctl reload nagios4"
            reload_timeout = 20
            ssh_reset = true
            ssh_user = "root"
            ssh_port = 2222
            known_hosts = "/root/.ssh/kh"
            ssh_remove_cmd = "true"
            ssh_scan_cmd = "echo key"
            ssh_timeout = "3s"
            wait = "0s"

            [[hooks.exec]]
            prefix = "/app/"
            command = "logger changed"

            [[hooks.exec]]
            id = "deploy"
            prefix = "/deploy"
            command = "cat > /var/lib/deploy/changes.json"
            mode = "batch"
            timeout = "2m"
            wait = "1s:5s"
            """);

        var n = hooks.Nagios!;
        Assert.Equal(("/pods", "{type}{ordinal}.example.com"), (hooks.Inventory.Root, hooks.Inventory.HostName));
        Assert.Equal(("generic-host", "{root}-{type}", "{name}"), (n.HostTemplate, n.HostgroupName, n.Address));
        Assert.Equal(("/etc/nagios4/conf.d/a.cfg", "/etc/nagios4/conf.d/b.cfg", "/var/lib/hosts.txt"), (n.HostsFile, n.GroupsFile, n.HostListFile));
        Assert.Equal(tmpl, n.HostsTemplate);
        Assert.Equal(("/etc/nagios/nagios.cfg", "nagios -v {{.main_config}}", TimeSpan.FromSeconds(5)), (n.MainConfig, n.CheckCommand, n.CheckTimeout));
        Assert.Equal(("systemctl reload nagios4", TimeSpan.FromSeconds(20)), (n.ReloadCommand, n.ReloadTimeout));
        Assert.Equal((true, "root", 2222, "/root/.ssh/kh", "true", "echo key", TimeSpan.FromSeconds(3)), (n.SshReset, n.SshUser, n.SshPort, n.KnownHosts, n.SshRemoveCommand, n.SshScanCommand, n.SshTimeout));
        Assert.Equal(ChangeWait.None, n.Wait);
        Assert.Equal(2, hooks.Exec.Count);
        Assert.Equal(("exec-1", "/app", "logger changed", ExecHookMode.Change, TimeSpan.FromSeconds(30), ChangeWait.None), (hooks.Exec[0].Id, hooks.Exec[0].Prefix, hooks.Exec[0].Command, hooks.Exec[0].Mode, hooks.Exec[0].Timeout, hooks.Exec[0].Wait));
        Assert.Equal(("deploy", ExecHookMode.Batch, TimeSpan.FromMinutes(2)), (hooks.Exec[1].Id, hooks.Exec[1].Mode, hooks.Exec[1].Timeout));
    }

    [Fact]
    public void Read_InventoryOnly_NoGenerator()
    {
        var hooks = Parse("[hooks.nagios]\nroot = \"/pods\"\n");

        Assert.Null(hooks.Nagios);
        Assert.Equal("/pods", hooks.Inventory.Root);
    }

    [Theory]
    [InlineData("[hooks.nagios]\ncheck_cmd = \"nagios -v x\"\n", 2, 13, "check_cmd needs hosts_file")]
    [InlineData("[hooks.nagios]\nhosts_file = \"/a.cfg\"\nssh_port = 70000\n", 3, 12, "ssh_port must be between 1 and 65535")]
    [InlineData("[hooks.nagios]\nhosts_file = \"/a.cfg\"\nwait = \"5s:1s\"\n", 3, 8, "max must not be smaller than min")]
    [InlineData("[hooks.nagios]\nhosts_file = \"/a.cfg\"\ncheck_timeout = \"soon\"\n", 3, 17, "check_timeout must be a duration")]
    [InlineData("[hooks.nagios]\nhosts_file = \"/a.cfg\"\nssh_reset = \"yes\"\n", 3, 13, "ssh_reset must be true or false")]
    [InlineData("[hooks.nagios]\nhosts_file = \"/a.cfg\"\nssh_reset = true\nssh_user = \"no-such-user-here\"\n", 4, 12, "ssh_user \"no-such-user-here\" does not exist")]
    [InlineData("[hooks.nagios]\nhosts_file = \"/a.cfg\"\ngroups_file = \"/a.cfg\"\n", 3, 15, "groups_file and hosts_file are the same file")]
    [InlineData("[hooks.nagios]\nhosts_file = \"/a.cfg\"\nreload_cmd = \"x\"\npid_file = \"/p\"\n", 4, 12, "set reload_cmd or pid_file, not both")]
    [InlineData("[hooks.nagios]\nhosts_file = \"/a.cfg\"\naddress = \"{host}.lan\"\n", 3, 11, "unknown placeholder {host}")]
    [InlineData("[hooks.nagios]\nhosts_file = \"/a.cfg\"\nhost_template = \"two words\"\n", 3, 17, "must be one word")]
    [InlineData("[hooks.nagios]\nhosts_file = \"/a.cfg\"\ncheck_cmd = \"nagios -v {{.src}}\"\n", 3, 13, "check_cmd")]
    [InlineData("[hooks.nagios]\nhosts_file = \"/a.cfg\"\nhosts_template = \"missing.tmpl\"\n", 3, 18, "does not exist")]
    [InlineData("[hooks.nagios]\nhosts_file = \"/a.cfg\"\nhost_file = \"/b.cfg\"\n", 3, 1, "unknown key \"host_file\" in [hooks.nagios] (did you mean \"hosts_file\"?)")]
    [InlineData("[hooks.nagios]\nhost_name = \"{type}-x\"\n", 2, 13, "must contain {type} and {ordinal}")]
    [InlineData("[[hooks.exec]]\ncommand = \"true\"\n", 1, 1, "needs prefix")]
    [InlineData("[[hooks.exec]]\nprefix = \"/a\"\n", 1, 1, "needs command")]
    [InlineData("[[hooks.exec]]\nprefix = \"/a\"\ncommand = \"true\"\nmode = \"each\"\n", 4, 8, "mode must be one of \"change\", \"batch\"")]
    [InlineData("[[hooks.exec]]\nprefix = \"/a\"\ncommand = \"true\"\ntimeout = \"0s\"\n", 4, 11, "timeout must be longer than zero")]
    [InlineData("[[hooks.exec]]\nprefix = \"/a\"\ncommand = \"true\"\n[[hooks.exec]]\nid = \"exec-1\"\nprefix = \"/b\"\ncommand = \"true\"\n", 5, 6, "id \"exec-1\" is used by another")]
    [InlineData("[[hooks.exec]]\nprefix = \"/a\"\ncommand = \"true\"\ncmd = \"x\"\n", 4, 1, "unknown key \"cmd\"")]
    [InlineData("[hooks]\ndaemon = 1\n", 2, 1, "unknown key \"daemon\" in [hooks]")]
    public void Read_BadValue_ErrorAtFileLineColumn(string toml, int line, int column, string message)
    {
        var path = Path.Combine(_dir.Path, "tend.toml");

        var ex = Assert.Throws<ConfigException>(() => TendConfigLoader.Parse(path, toml, [new HooksConfigReader()]));

        Assert.Equal((path, line, column), (ex.File, ex.Line, ex.Column));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TemplateDoesNotParse_ErrorNamesTheTemplateLine()
    {
        var bad = _dir.File("groups.tmpl", "ok\nok\n{{if}}\n");

        var ex = Assert.Throws<ConfigException>(() => Parse("[hooks.nagios]\nhosts_file = \"/a.cfg\"\ngroups_template = \"groups.tmpl\"\n"));

        Assert.Equal((bad, 3), (ex.File, ex.Line));
    }

    private HooksOptions Parse(string toml)
    {
        var config = TendConfigLoader.Parse(Path.Combine(_dir.Path, "tend.toml"), toml, [new HooksConfigReader()]);
        return config.Module<HooksOptions>("hooks")!;
    }
}

using Tend.Core.Config;
using Tend.Modules.Render.Config;
using Tend.Testing;
using Xunit;

namespace Tend.Modules.Tests.Render;

public sealed class RenderConfigTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void LoadResources_ConfdConfdir_ReadsTemplateTablesRecursively()
    {
        _dir.File("templates/haproxy.cfg.tmpl", "x");
        _dir.File("templates/hosts.tmpl", "y");
        _dir.File("conf.d/haproxy.toml", """
            [template]
            src = "haproxy.cfg.tmpl"
            dest = "/etc/haproxy/haproxy.cfg"
            keys = ["/services/web", "/hosts"]
            prefix = "/prod"
            mode = "0640"
            uid = 0
            group = "root"
            check_cmd = "haproxy -c -f {{.src}}"
            reload_cmd = "systemctl reload haproxy"
            """);
        _dir.File("conf.d/sub/hosts.toml", """
            [template]
            src = "hosts.tmpl"
            dest = "/etc/hosts.tend"
            keys = ["hosts/"]
            """);

        var resources = ConfdConfdirLoader.LoadResources(_dir.Path);

        Assert.Equal(2, resources.Count);
        var h = resources[0];
        Assert.Equal(System.IO.Path.Combine(_dir.Path, "templates", "haproxy.cfg.tmpl"), h.Source);
        Assert.Equal("/etc/haproxy/haproxy.cfg", h.Destination);
        Assert.Equal(["/services/web", "/hosts"], h.Keys);
        Assert.Equal("/prod", h.Prefix);
        Assert.Equal((UnixFileMode)0b110_100_000, h.Mode);
        Assert.Equal(0, h.Uid);
        Assert.Equal(0, h.Gid);
        Assert.Equal("haproxy -c -f {{.src}}", h.CheckCommand);
        Assert.Equal("systemctl reload haproxy", h.ReloadCommand);
        Assert.Equal(["/hosts"], resources[1].Keys);
        Assert.Equal("/", resources[1].Prefix);
        Assert.Null(resources[1].Mode);
    }

    [Fact]
    public void LoadResources_ConfdMissingKeyDefault_AppliesOnlyWhereTheResourceSetsNone()
    {
        _dir.File("templates/t.tmpl", "x");
        _dir.File("conf.d/a.toml", "[template]\nsrc = \"t.tmpl\"\ndest = \"/tmp/a\"\nkeys = [\"/a\"]\n");
        _dir.File("conf.d/b.toml", "[template]\nsrc = \"t.tmpl\"\ndest = \"/tmp/b\"\nkeys = [\"/b\"]\nmissing_key = \"error\"\n");

        var tendDefault = ConfdConfdirLoader.LoadResources(_dir.Path);
        var confdDefault = ConfdConfdirLoader.LoadResources(_dir.Path, RenderMissingKey.Default);

        Assert.Equal([RenderMissingKey.Error, RenderMissingKey.Error], tendDefault.Select(r => r.MissingKey));
        Assert.Equal([RenderMissingKey.Default, RenderMissingKey.Error], confdDefault.Select(r => r.MissingKey));
    }

    [Fact]
    public void LoadResources_ConfdUnknownKey_ErrorWithFileLineColumn()
    {
        _dir.File("templates/a.tmpl", "x");
        var file = _dir.File("conf.d/a.toml", "[template]\nsrc = \"a.tmpl\"\ndest = \"/tmp/a\"\nkeys = [\"/a\"]\nreload_cmmd = \"x\"\n");

        var ex = Assert.Throws<ConfigException>(() => ConfdConfdirLoader.LoadResources(_dir.Path));

        Assert.Equal(file, ex.File);
        Assert.Equal(5, ex.Line);
        Assert.Equal(1, ex.Column);
        Assert.Contains("did you mean \"reload_cmd\"", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadResources_ConfdMissingTemplate_LoadedForTheModuleToReport()
    {
        _dir.File("conf.d/a.toml", "[template]\nsrc = \"nope.tmpl\"\ndest = \"/tmp/a\"\nkeys = [\"/a\"]\n");

        var r = Assert.Single(ConfdConfdirLoader.LoadResources(_dir.Path));

        Assert.Equal(Path.Combine(_dir.Path, "templates", "nope.tmpl"), r.Source);
    }

    [Fact]
    public void LoadResources_ConfdBadMode_Rejected()
    {
        _dir.File("templates/nope.tmpl", "x");
        _dir.File("conf.d/a.toml", "[template]\nsrc = \"nope.tmpl\"\ndest = \"/tmp/a\"\nkeys = [\"/a\"]\nmode = \"rw-r--r--\"\n");
        var mode = Assert.Throws<ConfigException>(() => ConfdConfdirLoader.LoadResources(_dir.Path));
        Assert.Contains("octal", mode.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadResources_ConfdDuplicateDest_NamesBothFiles()
    {
        _dir.File("templates/a.tmpl", "x");
        var first = _dir.File("conf.d/a.toml", "[template]\nsrc = \"a.tmpl\"\ndest = \"/tmp/same\"\nkeys = [\"/a\"]\n");
        var second = _dir.File("conf.d/b.toml", "[template]\nsrc = \"a.tmpl\"\ndest = \"/tmp/same\"\nkeys = [\"/b\"]\n");

        var ex = Assert.Throws<ConfigException>(() => ConfdConfdirLoader.LoadResources(_dir.Path));

        Assert.Contains(first, ex.Message, StringComparison.Ordinal);
        Assert.Contains(second, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadSettings_ConfdToml_ReadsGlobalKeys()
    {
        var path = _dir.File("confd.toml", """
            backend = "etcdv3"
            nodes = ["http://10.0.0.1:2379", "http://10.0.0.2:2379"]
            prefix = "/prod"
            confdir = "/etc/confd"
            interval = 30
            watch = true
            log-level = "debug"
            client_cakeys = "/etc/ca.pem"
            """);

        var s = ConfdConfdirLoader.LoadSettings(path);

        Assert.Equal("etcdv3", s.Backend);
        Assert.Equal(["http://10.0.0.1:2379", "http://10.0.0.2:2379"], s.Nodes);
        Assert.Equal("/prod", s.Prefix);
        Assert.Equal(TimeSpan.FromSeconds(30), s.Interval);
        Assert.True(s.Watch);
        Assert.Equal("debug", s.LogLevel);
        Assert.Equal("/etc/ca.pem", s.ClientCaKeys);
        Assert.Null(s.Onetime);
    }

    [Fact]
    public void LoadResources_ReconfigCfgdir_ReadsJsonResources()
    {
        _dir.File("templates/test1.conf.tmpl", "x");
        _dir.File("conf.d/test1.json", """
            {"id": "test1", "source": "test1.conf.tmpl", "target": "/tmp/test1.conf", "key": "/test1", "recursive": true,
             "checkcmd": "varnishd -C -f {{.src}}", "reloadcmd": "service varnish reload"}
            """);
        _dir.File("conf.d/test2.json", """{"source": "test1.conf.tmpl", "target": "/tmp/test2.conf", "key": "/test2"}""");

        var resources = ReconfigCfgdirLoader.LoadResources(_dir.Path);

        Assert.Equal(2, resources.Count);
        Assert.Equal("test1", resources[0].Id);
        Assert.Equal(RenderDataShape.Reconfig, resources[0].Shape);
        Assert.True(resources[0].Recursive);
        Assert.Equal(["/test1"], resources[0].Keys);
        Assert.Equal("service varnish reload", resources[0].ReloadCommand);
        Assert.Equal("test2", resources[1].Id);
        Assert.False(resources[1].Recursive);
    }

    [Fact]
    public void LoadResources_ReconfigDuplicateKeyOrTarget_NamesBothFiles()
    {
        _dir.File("templates/t.tmpl", "x");
        var a = _dir.File("conf.d/a.json", """{"source": "t.tmpl", "target": "/tmp/a", "key": "/k"}""");
        var b = _dir.File("conf.d/b.json", """{"source": "t.tmpl", "target": "/tmp/b", "key": "/k/"}""");
        var byKey = Assert.Throws<ConfigException>(() => ReconfigCfgdirLoader.LoadResources(_dir.Path));
        Assert.Contains(a, byKey.Message, StringComparison.Ordinal);
        Assert.Contains(b, byKey.Message, StringComparison.Ordinal);

        _dir.File("conf.d/b.json", """{"source": "t.tmpl", "target": "/tmp/a", "key": "/other"}""");
        var byTarget = Assert.Throws<ConfigException>(() => ReconfigCfgdirLoader.LoadResources(_dir.Path));
        Assert.Contains(a, byTarget.Message, StringComparison.Ordinal);
        Assert.Contains(b, byTarget.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadResources_ReconfigBadJson_ErrorWithLine()
    {
        var file = _dir.File("conf.d/a.json", "{\n  \"source\": \"t.tmpl\",\n  oops\n}");

        var ex = Assert.Throws<ConfigException>(() => ReconfigCfgdirLoader.LoadResources(_dir.Path));

        Assert.Equal(file, ex.File);
        Assert.Equal(3, ex.Line);
    }

    [Fact]
    public void Parse_RenderSection_ReadsDefaultsTemplatesAndConfdir()
    {
        _dir.File("hosts.tmpl", "x");
        _dir.File("confd/templates/c.tmpl", "x");
        _dir.File("confd/conf.d/c.toml", "[template]\nsrc = \"c.tmpl\"\ndest = \"/tmp/c\"\nkeys = [\"/c\"]\n");
        var path = _dir.File("tend.toml");

        var render = Parse(path, """
            [render]
            wait = "1s:5s"
            check_timeout = "10s"
            confdir = "confd"

            [[render.template]]
            src = "hosts.tmpl"
            dest = "out/hosts"
            keys = ["/hosts"]
            wait = "2s"
            backup = true
            create_dest_dirs = true
            missing_key = "zero"
            reload_timeout = "5s"
            """);

        Assert.Equal(new ChangeWait(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)), render.Wait);
        Assert.Equal(TimeSpan.FromSeconds(10), render.CheckTimeout);
        Assert.Equal(2, render.Templates.Count);
        var t = render.Templates[0];
        Assert.Equal(System.IO.Path.Combine(_dir.Path, "out", "hosts"), t.Destination);
        Assert.Equal(new ChangeWait(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(8)), t.Wait);
        Assert.True(t.Backup);
        Assert.True(t.CreateDestDirs);
        Assert.Equal(RenderMissingKey.Zero, t.MissingKey);
        Assert.Equal(TimeSpan.FromSeconds(5), t.ReloadTimeout);
        Assert.Equal("/tmp/c", render.Templates[1].Destination);
    }

    [Fact]
    public void Parse_RenderUnknownKeyOrBadWait_PositionedError()
    {
        _dir.File("hosts.tmpl", "x");
        var path = _dir.File("tend.toml");

        var unknown = Assert.Throws<ConfigException>(() => Parse(path, "[render]\n\n[[render.template]]\nsrc = \"hosts.tmpl\"\ndest = \"/tmp/h\"\nkeys = [\"/h\"]\nchek_cmd = \"x\"\n"));
        Assert.Equal(7, unknown.Line);
        Assert.Contains("check_cmd", unknown.Message, StringComparison.Ordinal);

        var wait = Assert.Throws<ConfigException>(() => Parse(path, "[render]\nwait = \"5s:1s\"\n"));
        Assert.Equal(2, wait.Line);
        Assert.Contains("max must not be smaller", wait.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RenderTemplateDuplicateOfConfdirDest_Rejected()
    {
        _dir.File("hosts.tmpl", "x");
        _dir.File("confd/templates/c.tmpl", "x");
        var confd = _dir.File("confd/conf.d/c.toml", "[template]\nsrc = \"c.tmpl\"\ndest = \"/tmp/same\"\nkeys = [\"/c\"]\n");
        var path = _dir.File("tend.toml");

        var ex = Assert.Throws<ConfigException>(() => Parse(path, "[render]\nconfdir = \"confd\"\n[[render.template]]\nsrc = \"hosts.tmpl\"\ndest = \"/tmp/same\"\nkeys = [\"/h\"]\n"));

        Assert.Contains(confd, ex.Message, StringComparison.Ordinal);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TwoDestsShareAFileName_DefaultIdsMadeUniqueFromThePath()
    {
        // Two series labelled id="x.conf" on /metrics make Prometheus refuse the whole scrape.
        _dir.File("x.tmpl", "x");
        var path = _dir.File("tend.toml");

        var config = Parse(path, """
            [[render.template]]
            src = "x.tmpl"
            dest = "/srv/a/x.conf"
            keys = ["/a"]
            [[render.template]]
            src = "x.tmpl"
            dest = "/srv/b/x.conf"
            keys = ["/b"]
            [[render.template]]
            src = "x.tmpl"
            dest = "/srv/c/y.conf"
            keys = ["/c"]
            """);

        Assert.Equal(["/srv/a/x.conf", "/srv/b/x.conf", "y.conf"], config.Templates.Select(t => t.Id));
    }

    [Fact]
    public void Parse_DefaultIdEqualToAnExplicitOne_DefaultOneRenamed()
    {
        _dir.File("x.tmpl", "x");
        _dir.File("confd/templates/c.tmpl", "x");
        _dir.File("confd/conf.d/web.toml", "[template]\nsrc = \"c.tmpl\"\ndest = \"/srv/confd/web.conf\"\nkeys = [\"/c\"]\n");
        var path = _dir.File("tend.toml");

        var config = Parse(path, "[render]\nconfdir = \"confd\"\n[[render.template]]\nid = \"web\"\nsrc = \"x.tmpl\"\ndest = \"/srv/web.cfg\"\nkeys = [\"/h\"]\n");

        Assert.Equal(["web", "/srv/confd/web.conf"], config.Templates.Select(t => t.Id));
    }

    [Fact]
    public void Parse_SameExplicitIdTwice_RejectedNamingBoth()
    {
        _dir.File("x.tmpl", "x");
        var path = _dir.File("tend.toml");

        var ex = Assert.Throws<ConfigException>(() => Parse(path, """
            [[render.template]]
            id = "web"
            src = "x.tmpl"
            dest = "/srv/a.conf"
            keys = ["/a"]
            [[render.template]]
            id = "web"
            src = "x.tmpl"
            dest = "/srv/b.conf"
            keys = ["/b"]
            """));

        Assert.Contains("id \"web\" is already used", ex.Message, StringComparison.Ordinal);
        Assert.Contains(path + ":1", ex.Message, StringComparison.Ordinal);
        Assert.StartsWith(path + ":6", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadResources_ConfdSameFileNameInTwoSubdirectories_IdsUnique()
    {
        _dir.File("templates/a.tmpl", "x");
        _dir.File("conf.d/east/app.toml", "[template]\nsrc = \"a.tmpl\"\ndest = \"/srv/east/app.conf\"\nkeys = [\"/a\"]\n");
        _dir.File("conf.d/west/app.toml", "[template]\nsrc = \"a.tmpl\"\ndest = \"/srv/west/app.conf\"\nkeys = [\"/b\"]\n");

        var resources = ConfdConfdirLoader.LoadResources(_dir.Path);

        Assert.Equal(["/srv/east/app.conf", "/srv/west/app.conf"], resources.Select(r => r.Id));
    }

    private static RenderOptions Parse(string path, string toml) =>
        RenderConfigReader.OptionsOf(TendConfigLoader.Parse(path, toml, [new RenderConfigReader()]));
}

using Tend.Core.Config;
using Tend.Modules.Render.Config;
using Tend.Testing;
using Xunit;

namespace Tend.Modules.Tests.Render;

/// <summary>
/// tend.toml's <c>[render]</c> read by its module reader: defaults, <c>[render.exec]</c>, limits and
/// durations, each bad value reported at its file, line and column.
/// </summary>
public sealed class RenderSectionTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string ConfigPath => Path.Combine(_dir.Path, "tend.toml");

    [Fact]
    public void OptionsOf_NoRenderSection_DefaultsWithoutResources()
    {
        var options = Parse(string.Empty);

        Assert.Empty(options.Templates);
        Assert.True(options.Fsync);
        Assert.Equal(ChangeWait.None, options.Wait);
        Assert.Equal(new RenderLimits { Timeout = TimeSpan.FromSeconds(10), MaxOutput = 64L << 20, MaxMemory = 256L << 20 }, options.Limits);
    }

    [Fact]
    public void Parse_RenderWithoutItsReader_UnknownTopLevelKey()
    {
        var ex = Assert.Throws<ConfigException>(() => TendConfigLoader.Parse(ConfigPath, "[render]\nnoop = true\n"));

        Assert.Contains("unknown key \"render\" in the top level", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[render.exec]\ncommand = \"app\"\nreload_signal = \"SIGNOPE\"\n", 3, 17, "[render.exec] reload_signal: unknown signal \"SIGNOPE\"")]
    [InlineData("[render.exec]\ncommand = \"app\"\ncustom = [\"X\"]\n", 3, 10, "[render.exec] custom: \"X\" must be NAME=value")]
    [InlineData("[render.exec]\ncomand = \"app\"\n", 2, 1, "unknown key \"comand\" in [render.exec] (did you mean \"command\"?)")]
    [InlineData("[render]\nnop = true\n", 2, 1, "unknown key \"nop\" in [render] (did you mean \"noop\"?)")]
    [InlineData("[render]\nfsync = \"no\"\n", 2, 9, "[render] fsync must be true or false")]
    [InlineData("[render]\nwait = \"1s:99999999999h\"\n", 2, 8, "[render] wait must be at most 24h, not \"99999999999h\"")]
    [InlineData("[render]\nwait = \"99999999999h\"\n", 2, 8, "[render] wait must be at most 24h, not \"99999999999h\"")]
    [InlineData("[render]\ninterval = \"25h\"\n", 2, 12, "[render] interval must be at most 24h, not \"25h\"")]
    [InlineData("[render]\ninterval = \"0s\"\n", 2, 12, "[render] interval must be greater than zero")]
    [InlineData("[render]\ncheck_timeout = \"1200h\"\n", 2, 17, "[render] check_timeout must be at most 24h, not \"1200h\"")]
    [InlineData("[render]\nreload_timeout = 100000\n", 2, 18, "[render] reload_timeout must be at most 24h, not 100000")]
    [InlineData("[render]\ntemplate_timeout = \"48h\"\n", 2, 20, "[render] template_timeout must be at most 24h, not \"48h\"")]
    [InlineData("[render]\ntemplate_timeout = \"0s\"\n", 2, 20, "[render] template_timeout must be greater than zero")]
    [InlineData("[render]\nmax_output = \"1GiB\"\n", 2, 14, "[render] max_output must be at most 512MiB, not 1073741824")]
    [InlineData("[render]\nmax_memory = 0\n", 2, 14, "[render] max_memory must be greater than zero")]
    [InlineData("[render]\nmax_memory = \"lots\"\n", 2, 14, "[render] max_memory must be a size such as")]
    [InlineData("[render]\nconsul_template = \"absent.hcl\"\n", 2, 19, "[render] consul_template: no such file or directory")]
    public void Parse_Invalid_ErrorNamesFileLineAndColumn(string toml, int line, int column, string reason)
    {
        var ex = Assert.Throws<ConfigException>(() => Parse(toml));

        Assert.Equal((ConfigPath, line, column), (ex.File, ex.Line, ex.Column));
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("check_timeout = \"99999999999h\"", "check_timeout must be at most 24h")]
    [InlineData("reload_timeout = \"1000000h\"", "reload_timeout must be at most 24h")]
    [InlineData("wait = \"1s:1000000h\"", "wait must be at most 24h")]
    [InlineData("template_timeout = \"100000h\"", "template_timeout must be at most 24h")]
    [InlineData("max_output = \"600MiB\"", "max_output must be at most 512MiB")]
    public void Parse_TemplateTableOutOfRange_ErrorNamesTheTable(string line, string reason)
    {
        _dir.File("a.tmpl", "x");

        var ex = Assert.Throws<ConfigException>(() => Parse($"[[render.template]]\nsrc = \"a.tmpl\"\ndest = \"a.out\"\nkeys = [\"/a\"]\n{line}\n"));

        Assert.Equal((ConfigPath, 5), (ex.File, ex.Line));
        Assert.Contains($"[[render.template]] #1 {reason}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadResources_ConfdResourceOutOfRange_ErrorNamesItsFile()
    {
        _dir.File("templates/a.tmpl", "x");
        var resource = _dir.File("conf.d/a.toml", "[template]\nsrc = \"a.tmpl\"\ndest = \"/tmp/a\"\nkeys = [\"/a\"]\ncheck_timeout = 99999999999\n");

        var ex = Assert.Throws<ConfigException>(() => ConfdConfdirLoader.LoadResources(_dir.Path));

        Assert.Equal((resource, 5, 17), (ex.File, ex.Line, ex.Column));
        Assert.Contains("check_timeout must be at most 24h", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadSettings_ConfdIntervalOutOfRange_ErrorNamesItsLine()
    {
        var path = _dir.File("confd.toml", "backend = \"etcdv3\"\ninterval = 99999999999\n");

        var ex = Assert.Throws<ConfigException>(() => ConfdConfdirLoader.LoadSettings(path));

        Assert.Equal((path, 2, 12), (ex.File, ex.Line, ex.Column));
        Assert.Contains("confd.toml interval must be at most 24h, not 99999999999", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RenderLimits_DefaultsAndPerTemplateOverrides()
    {
        _dir.File("a.tmpl", "x");

        var options = Parse("""
            [render]
            template_timeout = "2s"
            max_output = "1MiB"

            [[render.template]]
            src = "a.tmpl"
            dest = "a.out"
            keys = ["/a"]
            max_memory = 1048576
            """);

        Assert.Equal(new RenderLimits { Timeout = TimeSpan.FromSeconds(2), MaxOutput = 1 << 20, MaxMemory = 256L << 20 }, options.Limits);
        Assert.Equal(new RenderLimits { Timeout = TimeSpan.FromSeconds(2), MaxOutput = 1 << 20, MaxMemory = 1 << 20 }, options.Limits.For(options.Templates[0]));
    }

    [Fact]
    public void Parse_RenderExecWithTemplates_ExecRead()
    {
        _dir.File("t.tmpl", "x");

        var exec = Parse("[render.exec]\ncommand = \"/usr/bin/app -c 'a b'\"\nreload_signal = \"hup\"\nsplay = \"2s\"\n\n[[render.template]]\nsrc = \"t.tmpl\"\ndest = \"out\"\nkeys = [\"/\"]\n").Exec!;

        Assert.Equal(["/usr/bin/app", "-c", "a b"], exec.Command);
        Assert.Equal("SIGHUP", exec.ReloadSignal);
        Assert.Equal(TimeSpan.FromSeconds(2), exec.Splay);
        Assert.Equal(TimeSpan.FromSeconds(30), exec.KillTimeout);
        Assert.Equal($"{ConfigPath}:1", exec.Origin);
    }

    [Fact]
    public void Parse_RenderExecWithoutTemplates_Refused() =>
        Assert.Contains("[render.exec] needs templates", Assert.Throws<ConfigException>(() => Parse("[render.exec]\ncommand = \"app\"\n")).Message, StringComparison.Ordinal);

    [Fact]
    public void Parse_RenderFsync_DefaultOnGlobalOffAndPerResourceOverride()
    {
        _dir.File("a.tmpl", "x");

        var options = Parse(
            "[render]\nfsync = false\n\n[[render.template]]\nsrc = \"a.tmpl\"\ndest = \"a.out\"\nkeys = [\"/a\"]\n\n" +
            "[[render.template]]\nsrc = \"a.tmpl\"\ndest = \"b.out\"\nkeys = [\"/a\"]\nfsync = true\n");

        Assert.False(options.Fsync);
        Assert.Null(options.Templates[0].Fsync);
        Assert.True(options.Templates[1].Fsync);
    }

    [Fact]
    public void Parse_ConsulTemplateFile_TemplatesJoinedAndItsWaitUsedUnlessRenderSetsOne()
    {
        _dir.File("t.ctmpl", "x");
        _dir.File("a.tmpl", "x");
        _dir.File("ct.hcl", $"wait = \"1s:2s\"\ntemplate {{\n  source = \"{_dir.Path}/t.ctmpl\"\n  destination = \"{_dir.Path}/ct.out\"\n}}\n");
        const string Template = "[[render.template]]\nsrc = \"a.tmpl\"\ndest = \"a.out\"\nkeys = [\"/a\"]\n";

        var fromHcl = Parse("[render]\nconsul_template = \"ct.hcl\"\n\n" + Template);
        var fromToml = Parse("[render]\nconsul_template = \"ct.hcl\"\nwait = \"3s:4s\"\n\n" + Template);

        Assert.Equal([Path.Combine(_dir.Path, "a.out"), Path.Combine(_dir.Path, "ct.out")], fromHcl.Templates.Select(t => t.Destination));
        Assert.Equal(Path.Combine(_dir.Path, "ct.hcl"), fromHcl.ConsulTemplate);
        Assert.Equal(new ChangeWait(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)), fromHcl.Wait);
        Assert.Equal(new ChangeWait(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(4)), fromToml.Wait);
    }

    private RenderOptions Parse(string toml)
    {
        File.WriteAllText(ConfigPath, toml);
        return RenderConfigReader.OptionsOf(TendConfigLoader.Load(ConfigPath, [new RenderConfigReader()]));
    }
}

using Tend.Core.Config;
using Xunit;

namespace Tend.Core.Tests.Config;

/// <summary>
/// Every duration is bounded at load: a value that would overflow a timer, a cancellation deadline
/// or date arithmetic is a configuration error naming file, line, column and key — never a crash
/// at start-up, a daemon that dies on SIGHUP, or a render loop that silently ends.
/// </summary>
public sealed class DurationBoundsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tend-durations-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("24h", 86_400_000)]
    [InlineData("86400", 86_400_000)]
    [InlineData("23h59m59.999s", 86_399_999)]
    [InlineData("1500µs", 1.5)]
    public void TryParse_UpToTheMaximum_Accepted(string text, double ms)
    {
        Assert.True(Durations.TryParse(text, out var d, out var error), error);
        Assert.Equal(ms, d.TotalMilliseconds, 3);
    }

    [Theory]
    [InlineData("99999999999h")]
    [InlineData("24h1ms")]
    [InlineData("86401")]
    [InlineData("1e300")]
    [InlineData("9999999999999999999999999999999999999999s")]
    public void TryParse_BeyondTheMaximum_RefusedWithoutThrowing(string text)
    {
        Assert.False(Durations.TryParse(text, out _, out var error));
        Assert.Equal($"must be at most 24h, not \"{text}\"", error);
    }

    [Fact]
    public void TryParse_NotADuration_SaysWhatIsExpected()
    {
        Assert.False(Durations.TryParse("soon", out _, out var error));
        Assert.Equal("must be a duration such as \"10s\", \"500ms\", \"1m30s\" or a number of seconds, not \"soon\"", error);
    }

    [Theory]
    [InlineData("[store]\nkind = \"etcd\"\nendpoints = [\"http://x:2379\"]\nrequest_timeout = \"99999999999h\"\n", 4, 19, "[store] request_timeout must be at most 24h, not \"99999999999h\"")]
    [InlineData("[store]\nkind = \"etcd\"\nendpoints = [\"http://x:2379\"]\nsession_timeout = 9223372036854775807\n", 4, 19, "[store] session_timeout must be at most 24h, not 9223372036854775807")]
    [InlineData("[store]\nkind = \"etcd\"\nendpoints = [\"http://x:2379\"]\nsession_timeout = 1e300\n", 4, 19, "[store] session_timeout must be at most 24h")]
    [InlineData("[render]\nwait = \"1s:99999999999h\"\n", 2, 8, "[render] wait must be at most 24h, not \"99999999999h\"")]
    [InlineData("[render]\nwait = \"99999999999h\"\n", 2, 8, "[render] wait must be at most 24h, not \"99999999999h\"")]
    [InlineData("[render]\ninterval = \"25h\"\n", 2, 12, "[render] interval must be at most 24h, not \"25h\"")]
    [InlineData("[render]\ncheck_timeout = \"1200h\"\n", 2, 17, "[render] check_timeout must be at most 24h, not \"1200h\"")]
    [InlineData("[render]\nreload_timeout = 100000\n", 2, 18, "[render] reload_timeout must be at most 24h, not 100000")]
    [InlineData("[render]\ntemplate_timeout = \"48h\"\n", 2, 20, "[render] template_timeout must be at most 24h, not \"48h\"")]
    [InlineData("[render]\ntemplate_timeout = \"0s\"\n", 2, 20, "[render] template_timeout must be greater than zero")]
    [InlineData("[render]\nmax_output = \"1GiB\"\n", 2, 14, "[render] max_output must be at most 512MiB, not 1073741824")]
    [InlineData("[render]\nmax_memory = 0\n", 2, 14, "[render] max_memory must be greater than zero")]
    [InlineData("[render]\nmax_memory = \"lots\"\n", 2, 14, "[render] max_memory must be a size such as")]
    public void Parse_DurationOrLimitOutOfRange_ErrorNamesFileLineColumnAndKey(string toml, int line, int column, string reason)
    {
        var path = Path.Combine(_dir, "tend.toml");

        var ex = Assert.Throws<ConfigException>(() => TendConfigLoader.Parse(path, toml));

        Assert.Equal((path, line, column), (ex.File, ex.Line, ex.Column));
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
        var src = Path.Combine(_dir, "a.tmpl");
        File.WriteAllText(src, "x");
        var path = Path.Combine(_dir, "tend.toml");
        var toml = $"[[render.template]]\nsrc = \"a.tmpl\"\ndest = \"a.out\"\nkeys = [\"/a\"]\n{line}\n";

        var ex = Assert.Throws<ConfigException>(() => TendConfigLoader.Parse(path, toml));

        Assert.Equal((path, 5), (ex.File, ex.Line));
        Assert.Contains($"[[render.template]] #1 {reason}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadResources_ConfdResourceOutOfRange_ErrorNamesItsFile()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "conf.d"));
        Directory.CreateDirectory(Path.Combine(_dir, "templates"));
        File.WriteAllText(Path.Combine(_dir, "templates", "a.tmpl"), "x");
        var resource = Path.Combine(_dir, "conf.d", "a.toml");
        File.WriteAllText(resource, "[template]\nsrc = \"a.tmpl\"\ndest = \"/tmp/a\"\nkeys = [\"/a\"]\ncheck_timeout = 99999999999\n");

        var ex = Assert.Throws<ConfigException>(() => ConfdConfdirLoader.LoadResources(_dir));

        Assert.Equal((resource, 5, 17), (ex.File, ex.Line, ex.Column));
        Assert.Contains("check_timeout must be at most 24h", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadSettings_ConfdIntervalOutOfRange_ErrorNamesItsLine()
    {
        var path = Path.Combine(_dir, "confd.toml");
        File.WriteAllText(path, "backend = \"etcdv3\"\ninterval = 99999999999\n");

        var ex = Assert.Throws<ConfigException>(() => ConfdConfdirLoader.LoadSettings(path));

        Assert.Equal((path, 2, 12), (ex.File, ex.Line, ex.Column));
        Assert.Contains("confd.toml interval must be at most 24h, not 99999999999", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RenderLimits_DefaultsAndPerTemplateOverrides()
    {
        File.WriteAllText(Path.Combine(_dir, "a.tmpl"), "x");
        var toml = """
            [render]
            template_timeout = "2s"
            max_output = "1MiB"

            [[render.template]]
            src = "a.tmpl"
            dest = "a.out"
            keys = ["/a"]
            max_memory = 1048576
            """;

        var config = TendConfigLoader.Parse(Path.Combine(_dir, "tend.toml"), toml);

        Assert.Equal(new RenderLimits { Timeout = TimeSpan.FromSeconds(2), MaxOutput = 1 << 20, MaxMemory = 256L << 20 }, config.Render.Limits);
        var effective = config.Render.Limits.For(config.Render.Templates[0]);
        Assert.Equal(new RenderLimits { Timeout = TimeSpan.FromSeconds(2), MaxOutput = 1 << 20, MaxMemory = 1 << 20 }, effective);
    }

    [Fact]
    public void Parse_NoRenderSection_DefaultLimits()
    {
        var config = TendConfigLoader.Parse(Path.Combine(_dir, "tend.toml"), "");

        Assert.Equal(new RenderLimits { Timeout = TimeSpan.FromSeconds(10), MaxOutput = 64L << 20, MaxMemory = 256L << 20 }, config.Render.Limits);
    }

    [Fact]
    public void TryParse_WaitWithoutMax_MaxCappedAtTheBound()
    {
        Assert.True(ChangeWait.TryParse("10h", out var wait, out _));

        Assert.Equal(new ChangeWait(TimeSpan.FromHours(10), TimeSpan.FromHours(24)), wait);
    }
}

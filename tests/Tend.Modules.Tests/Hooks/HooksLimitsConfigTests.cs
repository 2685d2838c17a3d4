using Tend.Core.Config;
using Tend.Modules.Hooks;
using Tend.Modules.Render.Config;
using Xunit;

namespace Tend.Modules.Tests.Hooks;

/// <summary>The hooks' durations are bounded at load, and the Nagios templates get render limits of their own.</summary>
public sealed class HooksLimitsConfigTests
{
    private const string Nagios = "[hooks.nagios]\nhosts_file = \"/a.cfg\"\n";
    private const string Exec = "[[hooks.exec]]\nprefix = \"/a\"\ncommand = \"true\"\n";

    [Theory]
    [InlineData(Nagios + "check_timeout = \"99999999999h\"\n", 3, 17, "[hooks.nagios] check_timeout must be at most 24h")]
    [InlineData(Nagios + "reload_timeout = 99999999999\n", 3, 18, "[hooks.nagios] reload_timeout must be at most 24h")]
    [InlineData(Nagios + "ssh_timeout = \"25h\"\n", 3, 15, "[hooks.nagios] ssh_timeout must be at most 24h")]
    [InlineData(Nagios + "wait = \"1s:99999999999h\"\n", 3, 8, "[hooks.nagios] wait must be at most 24h")]
    [InlineData(Nagios + "template_timeout = \"1000h\"\n", 3, 20, "[hooks.nagios] template_timeout must be at most 24h")]
    [InlineData(Nagios + "max_output = \"2GiB\"\n", 3, 14, "[hooks.nagios] max_output must be at most 512MiB")]
    [InlineData(Exec + "timeout = \"99999999999h\"\n", 4, 11, "[[hooks.exec]] #1 timeout must be at most 24h")]
    [InlineData(Exec + "wait = \"99999999999h\"\n", 4, 8, "[[hooks.exec]] #1 wait must be at most 24h")]
    public void Read_DurationOrLimitBeyondTheBound_ErrorAtFileLineColumn(string toml, int line, int column, string reason)
    {
        var ex = Assert.Throws<ConfigException>(() => TendConfigLoader.Parse("/etc/tend/tend.toml", toml, [new HooksConfigReader()]));

        Assert.Equal(("/etc/tend/tend.toml", line, column), (ex.File, ex.Line, ex.Column));
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_FileRewriteIntervalBeyondTheBound_ErrorNamesFileAndLine()
    {
        var ex = Assert.Throws<ConfigException>(() => EtcdhooksConfigLoader.Parse("/opt/etcd/daemon.cfg", "\nfile_rewrite_interval=99999999999\n", new EtcdhooksSettings(), log: false));

        Assert.Equal(("/opt/etcd/daemon.cfg", 2), (ex.File, ex.Line));
        Assert.Contains("must be at most 24h, not \"99999999999\"", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NagiosLimits_ReadOverTheDefaults()
    {
        var config = TendConfigLoader.Parse("/etc/tend/tend.toml", Nagios + "template_timeout = \"3s\"\nmax_memory = \"32MiB\"\n", [new HooksConfigReader()]);

        var nagios = ((HooksOptions)config.Modules["hooks"]).Nagios!;
        Assert.Equal(new RenderLimits { Timeout = TimeSpan.FromSeconds(3), MaxOutput = 64L << 20, MaxMemory = 32L << 20 }, nagios.Limits);
    }
}

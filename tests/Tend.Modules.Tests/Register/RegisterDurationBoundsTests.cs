using Tend.Core.Config;
using Tend.Modules.Register;
using Xunit;

namespace Tend.Modules.Tests.Register;

/// <summary>Register's durations (tend.toml and zk_watcher's INI) are bounded at load, with the file, line and key in the error.</summary>
public sealed class RegisterDurationBoundsTests
{
    private const string Service = "[[register.service]]\nname = \"web\"\ncmd = \"true\"\nservice_port = 80\nzookeeper_path = \"/s\"\n";

    [Theory]
    [InlineData("[register]\ndrain = \"99999999999h\"\n", 2, 9, "[register] drain must be at most 24h, not \"99999999999h\"")]
    [InlineData("[register]\nttl = 99999999999\n", 2, 7, "[register] ttl must be at most 24h, not 99999999999")]
    [InlineData(Service + "refresh = \"1000000h\"\n", 6, 11, "[[register.service]] #1 refresh must be at most 24h")]
    [InlineData(Service + "timeout = 1e20\n", 6, 11, "[[register.service]] #1 timeout must be at most 24h")]
    public void Read_DurationBeyondTheBound_ErrorAtFileLineColumn(string toml, int line, int column, string reason)
    {
        var ex = Assert.Throws<ConfigException>(() => TendConfigLoader.Parse("/etc/tend/tend.toml", toml, [new RegisterConfigReader()]));

        Assert.Equal(("/etc/tend/tend.toml", line, column), (ex.File, ex.Line, ex.Column));
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("refresh: 99999999999\n", "[web] refresh must be at most 24h, not \"99999999999\"")]
    [InlineData("timeout: 99999999999h\n", "[web] timeout must be at most 24h, not \"99999999999h\"")]
    public void Parse_IniDurationBeyondTheBound_ErrorNamesFileAndLine(string line, string reason)
    {
        var ini = "[web]\ncmd: true\nservice_port: 80\nzookeeper_path: /s\n" + line;

        var ex = Assert.Throws<ConfigException>(() => ZkWatcherConfigLoader.Parse("/etc/zk/config.cfg", ini));

        Assert.Equal($"/etc/zk/config.cfg:5: {reason}", ex.Message);
    }
}

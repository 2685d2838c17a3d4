using Tend.Core.Config;
using Tend.Modules.Health;
using Xunit;

namespace Tend.Modules.Tests.Health;

public sealed class HealthConfigReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tend-health-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Read_FullSection_Options()
    {
        var options = Load("""
            [health]
            environment = "production"
            role = "webserver"
            datacenter = "hq"
            flap_interval = "1m"
            trigger_timeout = "20s"

            [[health.check]]
            service = "apacheWebService"
            type = "service"
            linux_service = "apache2"

            [[health.check]]
            service = "workers"
            type = "process"
            arguments = "-c 1:4 -a 'worker --queue main'"
            interval = "5s"
            """);
        Assert.Equal(("production", "webserver", "hq", TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(20)), (options.Environment, options.Role, options.Datacenter, options.FlapInterval, options.TriggerTimeout));
        Assert.Equal(2, options.Checks.Count);
        Assert.Equal(("apacheWebService", HealthCheckKind.Service, "apache2"), (options.Checks[0].Service, options.Checks[0].Kind, options.Checks[0].LinuxService));
        Assert.Equal(["-c", "1:4", "-a", "worker --queue main"], options.Checks[1].ProcessArguments);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Checks[1].Interval);
    }

    [Theory]
    [InlineData("[[health.check]]\nservice = \"web\"\ntype = \"service\"\n", "needs linux_service")]
    [InlineData("[[health.check]]\ntype = \"tcp\"\nport = 80\n", "needs service")]
    [InlineData("[[health.check]]\nservice = \"web\"\ntype = \"ping\"\n", "must be one of")]
    [InlineData("[[health.check]]\nservice = \"a/b\"\ntype = \"tcp\"\nport = 1\n", "cannot be one key segment")]
    [InlineData("[health]\nhostname_pattern = \"(\"\n", "not a valid regular expression")]
    [InlineData("[health]\nenviroment = \"prod\"\n", "enviroment")]
    [InlineData("[[health.check]]\nservice = \"web\"\ntype = \"tcp\"\nport = 1\n[[health.check]]\nservice = \"web\"\ntype = \"tcp\"\nport = 2\n", "checked twice")]
    public void Read_BadSection_ErrorWithFileAndLine(string toml, string reason)
    {
        var ex = Assert.Throws<ConfigException>(() => Load(toml));
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.Contains("tend.toml:", ex.Message, StringComparison.Ordinal);
    }

    private HealthOptions Load(string toml)
    {
        var path = Path.Combine(_dir, "tend.toml");
        File.WriteAllText(path, toml);
        return TendConfigLoader.Load(path, [new HealthConfigReader()]).Module<HealthOptions>("health")!;
    }
}

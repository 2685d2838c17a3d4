using Microsoft.Extensions.Logging;
using Tend.Core.Config;
using Tend.Core.Kv;
using Xunit;

namespace Tend.Core.Tests.Config;

public sealed class TendConfigLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tend-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Parse_FullConfig_AllSectionsRead()
    {
        File.WriteAllText(Path.Combine(_dir, "data.yaml"), "a: 1\n");
        var config = Parse("""
            [store]
            kind = "file"
            files = ["data.yaml"]
            prefix = "prod/eu/"
            request_timeout = "2500ms"
            session_timeout = 30

            [log]
            level = "debug"
            stacktraces = true
            format = "json"

            [http]
            listen = ":9300"
            token = "0123456789abcdef0123"

            [watch]
            prefixes = ["/hosts", "services/"]
            """);

        Assert.Equal("file", config.Store.Kind);
        Assert.Equal([Path.Combine(_dir, "data.yaml")], config.Store.Files);
        Assert.Equal("/prod/eu", config.Store.Prefix);
        Assert.Equal(TimeSpan.FromMilliseconds(2500), config.Store.RequestTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), config.Store.SessionTimeout);
        Assert.Equal(LogLevel.Debug, config.Log.Level);
        Assert.True(config.Log.StackTraces);
        Assert.Equal("json", config.Log.Format);
        Assert.Equal(":9300", config.Http.Listen);
        Assert.Equal(["/hosts", "/services"], config.Watch.Prefixes);
    }

    [Fact]
    public void Parse_Empty_Defaults()
    {
        var config = Parse(string.Empty);
        Assert.Equal(LogLevel.Information, config.Log.Level);
        Assert.Equal("text", config.Log.Format);
        Assert.Null(config.Http.Listen);
    }

    [Theory]
    [InlineData("[http]\nlisen = \":80\"\n", 2, 1, "unknown key \"lisen\" in [http] (did you mean \"listen\"?)")]
    [InlineData("[stor]\nkind = \"etcd\"\n", 1, 2, "unknown key \"stor\" in the top level (did you mean \"store\"?)")]
    [InlineData("[store]\nkind = \"redis\"\n", 2, 8, "[store] kind must be one of")]
    [InlineData("[store]\nkind = \"etcd\"\n", 1, 1, "[store] kind = \"etcd\" needs endpoints")]
    [InlineData("[store]\nkind = \"file\"\n", 1, 1, "needs files")]
    [InlineData("[log]\nlevel = 3\n", 2, 9, "[log] level must be a string")]
    [InlineData("[log]\nstacktraces = \"yes\"\n", 2, 15, "[log] stacktraces must be true or false")]
    [InlineData("[store]\nkind = \"etcd\"\nendpoints = [\"http://x:2379\"]\nrequest_timeout = \"soon\"\n", 4, 19, "must be a duration")]
    [InlineData("[store]\nkind = \"etcd\"\nendpoints = [\"http://x:2379\"]\ntransport = \"http2\"\n", 4, 13, "[store] transport must be one of")]
    [InlineData("[store]\nkind = \"zookeeper\"\nendpoints = [\"x:2181\"]\ntransport = \"grpc\"\n", 4, 13, "applies to kind = \"etcd\" only")]
    [InlineData("[store]\nkind = \"etcd\"\nendpoints = [\"http://x:2379\"]\ntoken = \"t\"\n", 4, 9, "[store] token applies to kind = \"consul\" only")]
    [InlineData("[store]\nkind = \"consul\"\nconsistency = \"strong\"\n", 3, 15, "[store] consistency must be one of")]
    [InlineData("[http]\nlisten = \"nowhere\"\n", 2, 10, "[http] listen must be")]
    [InlineData("[http]\ntoken = \"short\"\n", 2, 9, "at least 16 characters")]
    [InlineData("a = \n", 1, 5, "")]
    public void Parse_Invalid_ErrorNamesFileLineAndColumn(string toml, int line, int column, string reason)
    {
        var ex = Assert.Throws<ConfigException>(() => Parse(toml));
        Assert.StartsWith($"{Path.Combine(_dir, "tend.toml")}:{line}:{column}: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.Equal(line, ex.Line);
    }

    [Theory]
    [InlineData("", null)]
    [InlineData("transport = \"gateway\"\n", "gateway")]
    [InlineData("transport = \"grpc\"\n", "grpc")]
    public void Parse_EtcdTransport_ReadIntoStoreOptions(string line, string? expected)
    {
        var config = Parse("[store]\nkind = \"etcd\"\nendpoints = [\"http://x:2379\"]\n" + line);
        Assert.Equal(expected, config.Store.Transport);
    }

    [Fact]
    public void Parse_ConsulWithoutEndpoints_AcceptedWithTokenDatacenterConsistency()
    {
        var config = Parse("[store]\nkind = \"consul\"\ntoken = \"secret-token\"\ndatacenter = \"dc2\"\nconsistency = \"stale\"\n");

        Assert.Equal(KvStoreKinds.Consul, config.Store.Kind);
        Assert.Empty(config.Store.Endpoints);
        Assert.Equal("secret-token", config.Store.Token);
        Assert.Equal($"[store] token in {Path.Combine(_dir, "tend.toml")}", config.Store.TokenSource);
        Assert.Equal("dc2", config.Store.Datacenter);
        Assert.Equal("stale", config.Store.Consistency);
        Assert.Null(Parse("[store]\nkind = \"consul\"\nconsistency = \"default\"\n").Store.Consistency);
    }

    [Fact]
    public void Parse_MissingTlsFile_ErrorNamesIt()
    {
        var ex = Assert.Throws<ConfigException>(() => Parse("[store]\nkind = \"etcd\"\nendpoints = [\"https://e:2379\"]\nca_file = \"ca.pem\"\n"));
        Assert.Contains("no such file", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ca.pem", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFile_ConfigException() =>
        Assert.Throws<ConfigException>(() => TendConfigLoader.Load(Path.Combine(_dir, "absent.toml")));

    [Theory]
    [InlineData("10s", 10_000)]
    [InlineData("500ms", 500)]
    [InlineData("1m30s", 90_000)]
    [InlineData("2h", 7_200_000)]
    [InlineData("1.5", 1_500)]
    public void Durations_GoStyle_Parsed(string text, double ms)
    {
        Assert.True(Durations.TryParse(text, out var d));
        Assert.Equal(ms, d.TotalMilliseconds, 3);
    }

    [Theory]
    [InlineData("")]
    [InlineData("10 parsecs")]
    [InlineData("-1")]
    [InlineData("s")]
    public void Durations_Garbage_Rejected(string text) => Assert.False(Durations.TryParse(text, out _));

    private TendConfig Parse(string toml)
    {
        var path = Path.Combine(_dir, "tend.toml");
        File.WriteAllText(path, toml);
        return TendConfigLoader.Load(path);
    }
}

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
            output = "stdout"

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
        Assert.Equal("stdout", config.Log.Output);
        Assert.Equal(":9300", config.Http.Listen);
        Assert.Equal(["/hosts", "/services"], config.Watch.Prefixes);
    }

    [Fact]
    public void Parse_Empty_Defaults()
    {
        var config = Parse(string.Empty);
        Assert.Equal(LogLevel.Information, config.Log.Level);
        Assert.Equal("text", config.Log.Format);
        Assert.Equal("stderr", config.Log.Output);
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
    [InlineData("[log]\noutput = \"file\"\n", 2, 10, "[log] output must be one of \"stderr\", \"stdout\", \"syslog\", not \"file\"")]
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
    public void Parse_FileStoreLimits_ReadWithUnitsOrDefaulted()
    {
        var set = Parse("[store]\nfiles = [\"d.yaml\"]\nmax_file_size = \"8MiB\"\nmax_keys = 5000\nmax_alias_expansion = 0\n").Store;
        Assert.Equal(8L << 20, set.MaxFileSize);
        Assert.Equal(5000, set.MaxKeys);
        Assert.Equal(0, set.MaxAliasExpansion);

        var defaults = Parse("[store]\nfiles = [\"d.yaml\"]\n").Store;
        Assert.Equal(KvStoreOptions.DefaultMaxFileSize, defaults.MaxFileSize);
        Assert.Equal(KvStoreOptions.DefaultMaxKeys, defaults.MaxKeys);
        Assert.Equal(KvStoreOptions.DefaultMaxAliasExpansion, defaults.MaxAliasExpansion);
        Assert.Equal(1000, Parse("[store]\nfiles = [\"d.yaml\"]\nmax_file_size = 1000\n").Store.MaxFileSize);
    }

    [Theory]
    [InlineData("max_file_size = \"lots\"\n", 3, 17, "must be a size such as")]
    [InlineData("max_file_size = 0\n", 3, 17, "[store] max_file_size must be greater than zero")]
    [InlineData("max_file_size = \"2GiB\"\n", 3, 17, "[store] max_file_size must be at most 1073741824 bytes")]
    [InlineData("max_keys = 0\n", 3, 12, "[store] max_keys must be between 1 and")]
    [InlineData("max_alias_expansion = -1\n", 3, 23, "[store] max_alias_expansion must be between 0 and")]
    public void Parse_BadFileStoreLimit_ErrorNamesIt(string line, int lineNo, int column, string reason)
    {
        var ex = Assert.Throws<ConfigException>(() => Parse("[store]\nfiles = [\"d.yaml\"]\n" + line));
        Assert.StartsWith($"{Path.Combine(_dir, "tend.toml")}:{lineNo}:{column}: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("512", 512L)]
    [InlineData("512B", 512L)]
    [InlineData("2KiB", 2048L)]
    [InlineData("2 KB", 2000L)]
    [InlineData("64MiB", 64L << 20)]
    [InlineData("1GB", 1_000_000_000L)]
    [InlineData("1GiB", 1L << 30)]
    public void ByteSizes_WithOrWithoutUnit_Parsed(string text, long bytes)
    {
        Assert.True(ByteSizes.TryParse(text, out var parsed));
        Assert.Equal(bytes, parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("MiB")]
    [InlineData("-1")]
    [InlineData("1.5MiB")]
    [InlineData("1 XB")]
    [InlineData("99999999999TiB")]
    public void ByteSizes_Garbage_Rejected(string text) => Assert.False(ByteSizes.TryParse(text, out _));

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

    [Fact]
    public void Parse_MaxTxnOpsAndAllowedHosts_Read()
    {
        var config = Parse("""
            [store]
            kind = "etcd"
            endpoints = ["http://x:2379"]
            max_txn_ops = 1024

            [http]
            listen = ":9300"
            allowed_hosts = ["nagios.example.com", "*.ops.example.com", "10.0.0.5"]
            """);

        Assert.Equal(1024, config.Store.MaxTransactionOperations);
        Assert.Equal(["nagios.example.com", "*.ops.example.com", "10.0.0.5"], config.Http.AllowedHosts);
        Assert.Null(Parse(string.Empty).Store.MaxTransactionOperations);
        Assert.Equal(config.Http, Parse("[http]\nlisten = \":9300\"\nallowed_hosts = [\"NAGIOS.example.com\", \"*.ops.example.com\", \"10.0.0.5\"]\n").Http);
    }

    [Theory]
    [InlineData("[store]\nkind = \"etcd\"\nendpoints = [\"http://x:2379\"]\nmax_txn_ops = 2\n", 4, "between 5 and 1000000")]
    [InlineData("[store]\nkind = \"memory\"\nmax_txn_ops = 64\n", 3, "applies to kind = \"etcd\", \"zookeeper\" or \"consul\"")]
    [InlineData("[http]\nallowed_hosts = [\"http://evil.example.com\"]\n", 2, "is not a host name")]
    [InlineData("[http]\nallowed_hosts = [\"nagios:9300\"]\n", 2, "is not a host name")]
    public void Parse_BadMaxTxnOpsOrAllowedHosts_ErrorNamesTheLine(string toml, int line, string reason)
    {
        var ex = Assert.Throws<ConfigException>(() => Parse(toml));
        Assert.Equal(line, ex.Line);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    private TendConfig Parse(string toml)
    {
        var path = Path.Combine(_dir, "tend.toml");
        File.WriteAllText(path, toml);
        return TendConfigLoader.Load(path);
    }
}

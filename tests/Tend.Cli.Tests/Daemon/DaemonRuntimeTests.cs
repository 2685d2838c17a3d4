using Tend.Core.Kv;
using Tend.Daemon;
using Xunit;

namespace Tend.Cli.Tests.Daemon;

public sealed class DaemonRuntimeTests
{
    private static readonly KvStoreOptions Etcd = new()
    {
        Kind = "etcd",
        Endpoints = ["http://127.0.0.1:2379", "http://127.0.0.2:2379"],
        RequestTimeout = TimeSpan.FromSeconds(3),
    };

    [Fact]
    public void SameStore_EqualSettingsInDifferentListInstances_IsTrue() =>
        Assert.True(DaemonRuntime.SameStore(Etcd, Etcd with { Endpoints = [.. Etcd.Endpoints] }));

    [Theory]
    [InlineData("endpoints")]
    [InlineData("password")]
    [InlineData("timeout")]
    [InlineData("prefix")]
    public void SameStore_OneSettingDiffers_IsFalse(string setting)
    {
        var other = setting switch
        {
            "endpoints" => Etcd with { Endpoints = ["http://127.0.0.1:2379"] },
            "password" => Etcd with { Password = "changed" },
            "timeout" => Etcd with { RequestTimeout = TimeSpan.FromSeconds(4) },
            _ => Etcd with { Prefix = "/other" },
        };
        Assert.False(DaemonRuntime.SameStore(Etcd, other));
    }
}

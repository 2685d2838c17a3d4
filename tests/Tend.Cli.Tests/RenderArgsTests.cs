using Xunit;

namespace Tend.Cli.Tests;

public sealed class RenderArgsTests
{
    [Fact]
    public void NormalizeArgs_GoStyleSingleDashFlags_BecomeDoubleDash()
    {
        var args = RenderCommand.NormalizeArgs(["render", "-onetime", "-node=http://a:2379", "-node", "b", "-confdir", "/etc/confd", "-p", "/x", "-c", "/etc/reconfig", "-log-level", "debug"]);

        Assert.Equal(["render", "--onetime", "--node=http://a:2379", "--node", "b", "--confdir", "/etc/confd", "--reconfig-prefix", "/x", "-c", "/etc/reconfig", "--log-level", "debug"], args);
    }

    [Fact]
    public void NormalizeArgs_OtherCommandsAndUnknownFlags_Untouched()
    {
        string[] kv = ["kv", "put", "/render", "-onetime"];
        Assert.Equal(kv, RenderCommand.NormalizeArgs(kv));
        Assert.Equal(["render", "-bogus", "--watch"], RenderCommand.NormalizeArgs(["render", "-bogus", "--watch"]));
    }

    [Theory]
    [InlineData("etcdv3", "etcd")]
    [InlineData("ZooKeeper", "zookeeper")]
    [InlineData("consul", "consul")]
    [InlineData("file", "file")]
    public void MapBackend_ConfdNames_StoreKinds(string backend, string kind)
    {
        Assert.Equal(kind, RenderCommand.MapBackend(backend));
    }

    [Fact]
    public void MapBackend_EtcdV2_RefusedNamingEtcdv3AndHowToMoveV2Data()
    {
        var ex = Assert.Throws<UsageException>(() => RenderCommand.MapBackend("etcd"));

        Assert.Contains("etcd v2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("-backend etcdv3", ex.Message, StringComparison.Ordinal);
        Assert.Contains("migrate", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MapBackend_Unknown_UsageError()
    {
        Assert.Throws<UsageException>(() => RenderCommand.MapBackend("redis"));
    }
}

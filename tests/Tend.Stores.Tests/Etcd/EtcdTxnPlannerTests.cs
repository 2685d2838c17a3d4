using System.Text;
using Tend.Core.Kv;
using Tend.Stores.Etcd;
using Xunit;

namespace Tend.Stores.Tests.Etcd;

public sealed class EtcdTxnPlannerTests
{
    private static List<string> Describe(params KvOperation[] ops) =>
        EtcdTxnPlanner.Plan(ops).Select(o => o.IsPut ? $"put {o.Key}={o.Value}" : "del " + EtcdTxnPlanner.Describe(o)).ToList();

    [Fact]
    public void Plan_DeletePrefix_KeyAndChildRange()
    {
        Assert.Equal(["del /a", "del [/a/, /a0)"], Describe(KvOperation.DeletePrefix("/a")));
    }

    [Fact]
    public void Plan_PutAfterDeletePrefix_RangeSplitAroundPut()
    {
        Assert.Equal(["del /a", "del [/a/, /a/b)", "del [/a/b\0, /a0)", "put /a/b=1"], Describe(KvOperation.DeletePrefix("/a"), KvOperation.Put("/a/b", "1")));
    }

    [Fact]
    public void Plan_PutThenDeleteCoveringIt_PutDropped()
    {
        Assert.Equal(["del /a", "del [/a/, /a0)"], Describe(KvOperation.Put("/a/x", "1"), KvOperation.DeletePrefix("/a")));
        Assert.Equal(["del /k"], Describe(KvOperation.Put("/k", "1"), KvOperation.Delete("/k")));
    }

    [Fact]
    public void Plan_SameKeyPutTwiceAndDeleteThenPut_LastWins()
    {
        Assert.Equal(["put /k=2"], Describe(KvOperation.Put("/k", "1"), KvOperation.Put("/k", "2")));
        Assert.Equal(["put /k=3"], Describe(KvOperation.Delete("/k"), KvOperation.Put("/k", "3")));
    }

    [Fact]
    public void Plan_DeleteRoot_OneRangeOverAllKeys()
    {
        var op = Assert.Single(EtcdTxnPlanner.Plan([KvOperation.DeletePrefix("/")]));
        Assert.Equal(("/", "0"), (Encoding.UTF8.GetString(op.Start), Encoding.UTF8.GetString(op.End!)));
    }
}

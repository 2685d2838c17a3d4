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

    [Fact]
    public void Plan_TwentyThousandPutsAndDeletes_EachKeyOnceWithItsLastOperation()
    {
        var ops = new List<KvOperation>();
        for (int i = 0; i < 20_000; i++)
        {
            ops.Add(KvOperation.Put($"/site/web/{i}", "a"));
        }

        for (int i = 0; i < 20_000; i += 2)
        {
            ops.Add(i % 4 == 0 ? KvOperation.Delete($"/site/web/{i}") : KvOperation.Put($"/site/web/{i}", "b"));
        }

        var plan = EtcdTxnPlanner.Plan(ops);

        Assert.Equal(20_000, plan.Count);
        Assert.Equal(20_000, plan.Select(o => o.Key).Distinct().Count());
        Assert.Equal("a", plan.Single(o => o.Key == "/site/web/1").Value);
        Assert.False(plan.Single(o => o.Key == "/site/web/4").IsPut);
        Assert.Equal("b", plan.Single(o => o.Key == "/site/web/6").Value);
    }

    [Fact]
    public void Plan_Cancelled_Throws()
    {
        var ops = Enumerable.Range(0, 10_000).Select(i => KvOperation.Put($"/k/{i}", "v")).ToList();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => EtcdTxnPlanner.Plan(ops, cts.Token));
    }

    [Fact]
    public void Plan_PutsIntoTwoRangesAndAgain_RangesSplitAroundEveryPut()
    {
        Assert.Equal(
            ["del /a", "del [/a/, /a/b)", "del /c", "del [/c/, /c/d)", "del [/a/b\0, /a0)", "del [/c/d\0, /c0)", "put /c/d=2", "put /a/b=3"],
            Describe(KvOperation.DeletePrefix("/a"), KvOperation.DeletePrefix("/c"), KvOperation.Put("/a/b", "1"), KvOperation.Put("/c/d", "2"), KvOperation.Put("/a/b", "3")));
    }
}

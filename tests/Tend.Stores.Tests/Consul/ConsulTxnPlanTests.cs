using Tend.Core.Kv;
using Tend.Stores.Consul;
using Tend.Stores.Consul.Wire;
using Xunit;

namespace Tend.Stores.Tests.Consul;

public sealed class ConsulTxnPlanTests
{
    [Fact]
    public void Create_NativeComparesAndOperations_CheckVerbsThenWritesInOrder()
    {
        var txn = new KvTransaction(
            [KvCompare.ModRevisionEquals("/a", 7), KvCompare.Missing("/b"), KvCompare.Exists("/c")],
            [KvOperation.Put("/a", "x"), KvOperation.DeletePrefix("/d"), KvOperation.Delete("/e")]);

        var plan = ConsulTxnPlan.Create(txn, new Dictionary<string, RawEntry?>());

        Assert.Equal(
            [("check-index", "a", 7UL), ("check-not-exists", "b", 0UL), ("get", "c", 0UL), ("set", "a", 0UL), ("delete-tree", "d/", 0UL), ("delete", "d", 0UL), ("delete", "e", 0UL)],
            plan.Operations.Select(o => (o.Kv.Verb, o.Kv.Key, o.Kv.Index)));
        Assert.Equal("eA==", plan.Operations[3].Kv.Value);
        Assert.True(plan.HasSet);
        Assert.Empty(ConsulTxnPlan.NeedingRead(txn.Compares));
    }

    [Fact]
    public void Create_ValueCompare_ReadAndGuarded()
    {
        var txn = new KvTransaction([KvCompare.ValueEquals("/g", "v"), KvCompare.ValueEquals("/h", "w")], [KvOperation.Delete("/g")]);
        Assert.Equal(2, ConsulTxnPlan.NeedingRead(txn.Compares).Count);

        var plan = ConsulTxnPlan.Create(txn, new Dictionary<string, RawEntry?> { ["/g"] = new RawEntry("g", "v", 3, 9, null), ["/h"] = null });

        Assert.Equal([("check-index", "g", 9UL), ("check-not-exists", "h", 0UL), ("delete", "g", 0UL)], plan.Operations.Select(o => (o.Kv.Verb, o.Kv.Key, o.Kv.Index)));
        Assert.Equal([ConsulTxnPlan.Role.Guard, ConsulTxnPlan.Role.Guard, ConsulTxnPlan.Role.Write], plan.Roles);
        Assert.True(ConsulTxnPlan.Holds(txn.Compares[0], new RawEntry("g", "v", 3, 9, null)));
        Assert.False(ConsulTxnPlan.Holds(txn.Compares[1], null));
    }

    [Fact]
    public void Create_DeleteRootPrefix_OneDeleteTreeOfEverything()
    {
        var plan = ConsulTxnPlan.Create(KvTransaction.Of(KvOperation.DeletePrefix("/")), new Dictionary<string, RawEntry?>());

        Assert.Equal([("delete-tree", "")], plan.Operations.Select(o => (o.Kv.Verb, o.Kv.Key)));
    }

    [Fact]
    public void NeedingRead_VersionOtherThanZero_RefusedNamingTheAlternative()
    {
        var ex = Assert.Throws<KvNotSupportedException>(() => ConsulTxnPlan.NeedingRead([new KvCompare("/k", KvCompareTarget.Version, KvCompareOperator.Equal, Number: 3)]));
        Assert.Contains("mod revision", ex.Message, StringComparison.Ordinal);
    }
}

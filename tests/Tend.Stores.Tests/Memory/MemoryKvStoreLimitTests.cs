using Tend.Core.Kv;
using Tend.Stores.Memory;
using Xunit;

namespace Tend.Stores.Tests.Memory;

/// <summary>The memory store's transaction limit, which stands in for etcd's <c>--max-txn-ops</c> in unit tests.</summary>
public sealed class MemoryKvStoreLimitTests
{
    [Fact]
    public async Task Commit_MoreThanTheLimit_RefusedAndNothingApplied()
    {
        await using var store = new MemoryKvStore(maxTransactionOperations: 4);
        var ex = await Assert.ThrowsAsync<KvStoreException>(() => store.CommitAsync(new KvTransaction([KvCompare.Missing("/a")], [.. Enumerable.Range(0, 4).Select(i => KvOperation.Put($"/a/{i}", "x"))])));
        Assert.Contains("1 compares and 4 operations", ex.Message, StringComparison.Ordinal);
        Assert.Empty(await store.ListAsync("/"));
        Assert.True((await store.CommitAsync(KvTransaction.Of([.. Enumerable.Range(0, 4).Select(i => KvOperation.Put($"/a/{i}", "x"))]))).Succeeded);
        Assert.Equal(4, store.MaxTransactionOperations);
        await using var unbounded = new MemoryKvStore();
        Assert.Equal(int.MaxValue, unbounded.MaxTransactionOperations);
        Assert.Equal(4, new PrefixedKvStore(store, "/p").MaxTransactionOperations);
    }
}

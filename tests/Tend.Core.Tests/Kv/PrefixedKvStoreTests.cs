using Tend.Core.Kv;
using Tend.Stores.Memory;
using Tend.Testing;
using Xunit;

namespace Tend.Core.Tests.Kv;

/// <summary>The global prefix decorator runs the whole store contract over the memory store.</summary>
public sealed class PrefixedKvStoreContractTests : KvStoreContractTests
{
    private MemoryKvStore? _inner;

    protected override Task<IKvStore> CreateStoreAsync()
    {
        _inner = new MemoryKvStore();
        return Task.FromResult<IKvStore>(new PrefixedKvStore(_inner, "/prod/eu"));
    }

    protected override Task ForceResyncAsync()
    {
        _inner!.Compact(_inner.Revision + 1);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Put_ThroughPrefix_InnerSeesJoinedKey()
    {
        await Store.PutAsync("/app/x", "1");
        Assert.Equal("1", (await _inner!.GetAsync("/prod/eu/app/x"))!.Value);
        Assert.Equal("/app/x", (await Store.GetAsync("/app/x"))!.Key);
        Assert.Equal(["/app/x"], (await Store.ListAsync("/")).Select(p => p.Key));
    }
}

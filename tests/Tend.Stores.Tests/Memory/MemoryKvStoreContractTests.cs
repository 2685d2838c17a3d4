using Tend.Core.Kv;
using Tend.Stores.Memory;
using Tend.Testing;

namespace Tend.Stores.Tests.Memory;

public sealed class MemoryKvStoreContractTests : KvStoreContractTests
{
    private MemoryKvStore? _memory;

    protected override Task<IKvStore> CreateStoreAsync()
    {
        _memory = new MemoryKvStore();
        return Task.FromResult<IKvStore>(_memory);
    }

    protected override Task ForceResyncAsync()
    {
        _memory!.Compact(_memory.Revision + 1);
        return Task.CompletedTask;
    }
}

using Tend.Core.Kv;
using Tend.Stores.Consul;
using Tend.Testing;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Stores.Tests.Consul;

[Collection(ConsulCollection.Name)]
public sealed class ConsulKvStoreContractTests(ConsulServer server) : KvStoreContractTests
{
    private ConsulKvStore? _consul;

    protected override Task<IKvStore> CreateStoreAsync()
    {
        _consul = ConsulTestStores.Create(server);
        return Task.FromResult<IKvStore>(_consul);
    }

    // Consul keeps no history: what this store forgets (its watch states and seeds) is gone, as after an agent restart.
    protected override Task ForceResyncAsync() => _consul!.ForgetWatchHistoryAsync();
}

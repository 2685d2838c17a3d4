using Tend.Core.Kv;
using Tend.Stores.Etcd;
using Tend.Testing;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Stores.Tests.Etcd;

/// <summary>The shared store contract on the fallback transport, etcd's JSON gateway over HTTP/1.1.</summary>
[Collection(EtcdCollection.Name)]
public sealed class EtcdGatewayKvStoreContractTests(EtcdServer server) : KvStoreContractTests
{
    private EtcdKvStore? _etcd;

    protected override Task<IKvStore> CreateStoreAsync()
    {
        _etcd = EtcdTestStores.Create(server.ClientUrl, EtcdTestStores.GatewaySettings);
        return Task.FromResult<IKvStore>(_etcd);
    }

    protected override async Task ForceResyncAsync()
    {
        var revision = (await _etcd!.ListAsync(Root)).Revision;
        await _etcd.CompactAsync(revision);
    }
}

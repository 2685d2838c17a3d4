using Tend.Core.Kv;
using Tend.Stores.Etcd;
using Tend.Testing;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Stores.Tests.Etcd;

[Collection(EtcdCollection.Name)]
public sealed class EtcdKvStoreContractTests(EtcdServer server) : KvStoreContractTests
{
    private EtcdKvStore? _etcd;

    protected override Task<IKvStore> CreateStoreAsync()
    {
        _etcd = EtcdTestStores.Create(server.ClientUrl);
        return Task.FromResult<IKvStore>(_etcd);
    }

    protected override async Task ForceResyncAsync()
    {
        var revision = (await _etcd!.ListAsync(Root)).Revision;
        await _etcd.CompactAsync(revision);
    }
}

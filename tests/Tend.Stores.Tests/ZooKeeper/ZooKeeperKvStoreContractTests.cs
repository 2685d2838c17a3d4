using Tend.Core.Kv;
using Tend.Stores.ZooKeeper;
using Tend.Testing;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Stores.Tests.ZooKeeper;

[Collection(ZooKeeperServerCollection.Name)]
public sealed class ZooKeeperKvStoreContractTests(ZooKeeperServerFixture fixture) : KvStoreContractTests
{
    private ZooKeeperKvStore? _store;

    protected override Task<IKvStore> CreateStoreAsync()
    {
        _store = new ZooKeeperKvStore(new KvStoreOptions { Kind = "zookeeper", Endpoints = [fixture.Server.EndPoint], SessionTimeout = TimeSpan.FromSeconds(6) });
        return Task.FromResult<IKvStore>(_store);
    }

    protected override Task ForceResyncAsync() => SessionExpiry.ExpireAsync(_store!.Client);
}

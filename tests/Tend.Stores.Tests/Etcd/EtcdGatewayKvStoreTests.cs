using Tend.Stores.Etcd;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Stores.Tests.Etcd;

/// <summary>The etcd store's own tests (paging, txn limits, leases, failover, SRV, members) on the JSON gateway transport.</summary>
[Collection(EtcdCollection.Name)]
public sealed class EtcdGatewayKvStoreTests(EtcdServer server) : EtcdKvStoreTests(server)
{
    protected override EtcdStoreSettings Settings => EtcdTestStores.GatewaySettings;

    [Fact]
    public async Task TransportKind_GatewaySettings_IsGateway()
    {
        // Nothing is contacted until the first call.
        await using var store = EtcdTestStores.Create("http://127.0.0.1:9", Settings);
        Assert.Equal(EtcdTransport.Gateway, store.TransportKind);
        Assert.IsType<Tend.Stores.Etcd.Gateway.EtcdGatewayTransport>(store.Transport);
    }
}

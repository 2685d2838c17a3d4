using System.Globalization;
using Tend.Core.Mirror;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Stores.Tests.Etcd;

[Collection(EtcdClusterCollection.Name)]
public sealed class EtcdClusterTests(EtcdCluster cluster)
{
    [Fact]
    public async Task Watch_LeaderKilled_ContinuesOnAnotherMember()
    {
        var root = "/cluster/t" + Guid.NewGuid().ToString("N")[..10];
        var leader = await cluster.LeaderAsync();

        // The leader first, so that the store's connections are on the member that dies.
        var endpoints = new[] { leader.ClientUrl }.Concat(cluster.ClientUrls.Where(u => u != leader.ClientUrl)).ToList();
        await using var store = EtcdTestStores.Create(endpoints);
        await using var mirror = new KvMirror(store, root);
        mirror.Start();
        await mirror.WhenSynced.WaitAsync(TimeSpan.FromSeconds(10));
        for (int i = 0; i < 20; i++)
        {
            await store.PutAsync($"{root}/k{i % 4}", "a" + i.ToString(CultureInfo.InvariantCulture));
        }

        leader.Kill();
        long last = 0;
        for (int i = 0; i < 20; i++)
        {
            while (true)
            {
                try
                {
                    last = await store.PutAsync($"{root}/k{i % 5}", "b" + i.ToString(CultureInfo.InvariantCulture));
                    break;
                }
                catch (Tend.Core.Kv.KvStoreUnavailableException)
                {
                    await Task.Delay(100);
                }
            }
        }

        await mirror.WaitForRevisionAsync(last).WaitAsync(TimeSpan.FromSeconds(20));
        var truth = await store.ListAsync(root);
        Assert.Equal(truth.Select(p => (p.Key, p.Value)), mirror.Current.Select(p => (p.Key, p.Value)));
        Assert.Equal(3, (await store.MemberListAsync()).Count);

        // The store's watch moved to another member by itself; the mirror never had to re-watch: every
        // reconnect it counts is the store's.
        Assert.Equal(store.Health.Reconnects, mirror.ReconnectCount);
        Assert.Equal(Tend.Core.Kv.KvStoreConnectionState.Connected, store.Health.State);
    }
}

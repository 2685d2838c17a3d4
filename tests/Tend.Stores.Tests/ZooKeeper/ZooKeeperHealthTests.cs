using Tend.Core.Kv;
using Tend.Core.Mirror;
using Tend.Stores.ZooKeeper;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Stores.Tests.ZooKeeper;

/// <summary>What the store reports while the path to its server is cut: health, the mirror's state, and recovery.</summary>
[Collection(ZooKeeperServerCollection.Name)]
public sealed class ZooKeeperHealthTests(ZooKeeperServerFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly string _root = "/health/t" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task Health_PartitionThenHealed_UnreachableSinceTheCutThenConnectedWithAReconnect()
    {
        await using var proxy = new TcpProxy(fixture.Server.ClientPort);
        await using var store = new ZooKeeperKvStore(new KvStoreOptions { Kind = "zookeeper", Endpoints = [$"127.0.0.1:{proxy.Port}"], SessionTimeout = TimeSpan.FromSeconds(20), RequestTimeout = TimeSpan.FromSeconds(3) });
        await using var writer = new ZooKeeperKvStore(new KvStoreOptions { Kind = "zookeeper", Endpoints = [fixture.Server.EndPoint] });
        Assert.Equal(KvStoreConnectionState.Unknown, store.Health.State);
        await using var mirror = new KvMirror(store, _root);
        mirror.Start();
        await mirror.WhenSynced.WaitAsync(Timeout);
        Assert.Equal(KvStoreConnectionState.Connected, store.Health.State);

        var cutAt = DateTimeOffset.UtcNow;
        proxy.Disconnect();
        await UntilAsync(() => store.Health.IsUnreachable);
        Assert.InRange(store.Health.Since!.Value, cutAt - TimeSpan.FromSeconds(1), DateTimeOffset.UtcNow);
        Assert.Contains($"127.0.0.1:{proxy.Port}", store.Health.LastError, StringComparison.Ordinal);
        Assert.Equal(KvMirrorState.Reconnecting, mirror.State);

        await writer.PutAsync(_root + "/during", "1");
        proxy.Heal();

        await UntilAsync(() => store.Health.State == KvStoreConnectionState.Connected && mirror.State == KvMirrorState.Watching);
        Assert.True(store.Health.Reconnects >= 1);
        Assert.True(mirror.ReconnectCount >= 1);
        await UntilAsync(() => mirror.Current.Get(_root + "/during")?.Value == "1");
    }

    private static async Task UntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(20);
        }
    }
}

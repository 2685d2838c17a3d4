using System.Globalization;
using Tend.Core.Kv;
using Tend.Core.Mirror;
using Tend.Stores.Etcd;
using Tend.Testing;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Stores.Tests.Etcd;

[Collection(EtcdChaosCollection.Name)]
public sealed class EtcdChaosTests(EtcdChaosServer server)
{
    private readonly string _root = "/chaos/t" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task Watch_ServerKilledAndRestartedDuringThousandWrites_MirrorEqualsStoreAndNoChangeLost()
    {
        await using var store = EtcdTestStores.Create(server.ClientUrl);
        await using var writer = EtcdTestStores.Create(server.ClientUrl);
        var start = await store.ListAsync(_root);

        await using var mirror = new KvMirror(store, _root);
        mirror.Start();
        await mirror.WhenSynced.WaitAsync(TimeSpan.FromSeconds(10));

        var batches = new List<KvChangeBatch>();
        using var stop = new CancellationTokenSource();
        var recorder = Task.Run(async () =>
        {
            try
            {
                await foreach (var b in store.WatchAsync(_root, start.Revision + 1, stop.Token))
                {
                    lock (batches)
                    {
                        batches.Add(b);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        });

        var acknowledged = new List<long>();
        int retried = 0;
        var killAt = new TaskCompletionSource();
        var writes = Task.Run(async () =>
        {
            for (int i = 0; i < 1000; i++)
            {
                if (i == 300)
                {
                    killAt.TrySetResult();
                }

                while (true)
                {
                    try
                    {
                        acknowledged.Add(await writer.PutAsync($"{_root}/k{i % 37}", i.ToString(CultureInfo.InvariantCulture)));
                        break;
                    }
                    catch (KvStoreUnavailableException)
                    {
                        retried++;
                        await Task.Delay(50);
                    }
                }
            }
        });

        await killAt.Task.WaitAsync(TimeSpan.FromSeconds(30));
        server.Kill();
        await Task.Delay(700);
        await server.RestartAsync();
        await writes.WaitAsync(TimeSpan.FromSeconds(60));

        var truth = await writer.ListAsync(_root);
        await mirror.WaitForRevisionAsync(truth.Revision).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(truth.Select(p => (p.Key, p.Value)), mirror.Current.Select(p => (p.Key, p.Value)));

        // The store re-established the watch by itself: the mirror counts the store's reconnect, and
        // none of its own (its enumeration never failed).
        Assert.True(store.Health.Reconnects >= 1, "the store saw its connection come back");
        Assert.Equal(store.Health.Reconnects, mirror.ReconnectCount);

        await EtcdTestStores.EventuallyAsync(
            () =>
            {
                lock (batches)
                {
                    return Task.FromResult(batches.Count > 0 && batches[^1].Revision >= truth.Revision);
                }
            },
            TimeSpan.FromSeconds(20),
            "the recording watch reaches the final revision");
        await stop.CancelAsync();
        await recorder;

        // Every change arrives once, in revision order; every acknowledged write was seen (or a resync covered it).
        long last = start.Revision;
        long resyncedTo = 0;
        var seen = new HashSet<long>();
        foreach (var b in batches)
        {
            if (b.IsResync)
            {
                resyncedTo = b.Revision;
                last = b.Revision;
                continue;
            }

            foreach (var c in b.Changes)
            {
                Assert.True(c.Revision > last, $"change at {c.Revision} after {last}: out of order or repeated");
                last = c.Revision;
                seen.Add(c.Revision);
            }

            Assert.True(b.Revision >= last);
            last = b.Revision;
        }

        Assert.All(acknowledged, rev => Assert.True(seen.Contains(rev) || rev <= resyncedTo, $"write at {rev} was never delivered"));
        Assert.Equal(1000, acknowledged.Count);
        Assert.True(retried > 0, "the server was killed while writes were in flight");
    }

    [Fact]
    public async Task Health_ServerKilledThenRestarted_UnreachableSinceTheKillThenConnectedWithAReconnect()
    {
        await using var store = EtcdTestStores.Create(server.ClientUrl);
        await using var mirror = new KvMirror(store, _root);
        mirror.Start();
        await mirror.WhenSynced.WaitAsync(TimeSpan.FromSeconds(10));
        await EtcdTestStores.EventuallyAsync(() => Task.FromResult(store.Health.State == KvStoreConnectionState.Connected && mirror.State == KvMirrorState.Watching), TimeSpan.FromSeconds(10), "connected and watching");
        Assert.Equal(0, mirror.ReconnectCount);

        var killedAt = DateTimeOffset.UtcNow;
        server.Kill();
        try
        {
            // Only the watch is open: nothing but the watch can notice the outage.
            await EtcdTestStores.EventuallyAsync(() => Task.FromResult(store.Health.IsUnreachable), TimeSpan.FromSeconds(15), "the store reports the outage");
            var health = store.Health;
            Assert.InRange(health.Since!.Value, killedAt - TimeSpan.FromSeconds(1), DateTimeOffset.UtcNow);
            Assert.Contains(server.ClientUrl, health.LastError, StringComparison.Ordinal);
            Assert.Equal(KvMirrorState.Reconnecting, mirror.State);
            Assert.NotNull(mirror.CurrentError);
        }
        finally
        {
            await server.RestartAsync();
        }

        await EtcdTestStores.EventuallyAsync(() => Task.FromResult(store.Health.State == KvStoreConnectionState.Connected && mirror.State == KvMirrorState.Watching), TimeSpan.FromSeconds(15), "connected and watching again");
        Assert.True(store.Health.Reconnects >= 1);
        Assert.True(mirror.ReconnectCount >= 1);
        Assert.Null(mirror.CurrentError);
        Assert.NotNull(store.Health.LastError);
        var rev = await store.PutAsync(_root + "/after", "1");
        await mirror.WaitForRevisionAsync(rev).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Watch_CompactedWhileDisconnected_ResyncsThenContinues()
    {
        await using var proxy = new TcpProxy(server.Member.ClientPort);
        await using var watched = EtcdTestStores.Create(proxy.Url);
        await using var direct = EtcdTestStores.Create(server.ClientUrl);
        await direct.PutAsync(_root + "/a", "1");
        var start = await direct.ListAsync(_root);
        await using var watch = new WatchReader(watched, _root, start.Revision + 1, TimeSpan.FromSeconds(20));
        await direct.PutAsync(_root + "/a", "2");
        Assert.Equal("2", Assert.Single(await watch.TakeChangesAsync(1)).Value);

        proxy.Disconnect();
        await direct.PutAsync(_root + "/a", "3");
        var rev = await direct.PutAsync(_root + "/b", "4");
        await direct.CompactAsync(rev);
        await Task.Delay(300);
        proxy.Heal();

        var resync = await watch.NextBatchAsync(b => b.IsResync);
        Assert.Equal([(_root + "/a", "3"), (_root + "/b", "4")], resync.Resync!.Select(p => (p.Key, p.Value)));
        await direct.PutAsync(_root + "/c", "5");
        var next = Assert.Single(await watch.TakeChangesAsync(1));
        Assert.Equal(_root + "/c", next.Key);
    }

    [Fact]
    public async Task Watch_ConnectionSilentlyDead_StallDetectedAndChangesStillArrive()
    {
        await using var proxy = new TcpProxy(server.Member.ClientPort);
        await using var watched = EtcdTestStores.Create(proxy.Url);
        await using var direct = EtcdTestStores.Create(server.ClientUrl);
        var start = await direct.ListAsync(_root);
        await using var watch = new WatchReader(watched, _root, start.Revision + 1, TimeSpan.FromSeconds(25));
        await direct.PutAsync(_root + "/before", "1");
        Assert.Single(await watch.TakeChangesAsync(1));

        proxy.BlackholeExisting();
        await direct.PutAsync(_root + "/after", "2");
        var change = Assert.Single(await watch.TakeChangesAsync(1));
        Assert.Equal(_root + "/after", change.Key);
    }

    [Fact]
    public async Task Put_ConnectionSilentlyDead_TimesOutAsUnavailableNotCancelled()
    {
        await using var proxy = new TcpProxy(server.Member.ClientPort);
        await using var store = EtcdTestStores.Create(proxy.Url, configure: o => o with { RequestTimeout = TimeSpan.FromSeconds(1) });
        await store.PutAsync(_root + "/warm", "1");

        // The request reaches nothing and nothing answers: only the deadline ends it, and a deadline is not
        // the caller's cancellation — a write must say it may or may not have been applied, a read that no
        // endpoint could serve it.
        proxy.BlackholeExisting();
        var write = await Assert.ThrowsAsync<KvStoreUnavailableException>(() => store.PutAsync(_root + "/k", "2"));
        Assert.Contains("may or may not have been applied", write.Message, StringComparison.Ordinal);
        var read = await Assert.ThrowsAsync<KvStoreUnavailableException>(() => store.GetAsync(_root + "/warm"));
        Assert.Contains("no endpoint could serve", read.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Register_PartitionLongerThanTtl_EntryRecreatedAfterHealing()
    {
        await using var proxy = new TcpProxy(server.Member.ClientPort);
        await using var registering = EtcdTestStores.Create(proxy.Url);
        await using var direct = EtcdTestStores.Create(server.ClientUrl);
        var key = _root + "/svc";
        var registration = (EtcdRegistration)await registering.RegisterAsync(key, "me", TimeSpan.FromSeconds(2));
        await using var _ = registration;
        var lease = registration.Lease;

        proxy.Disconnect();
        await EtcdTestStores.EventuallyAsync(async () => await direct.GetAsync(key) is null, TimeSpan.FromSeconds(10), "the lease expires during the partition");
        proxy.Heal();

        // The key becomes visible the moment the put lands; the handle records its new lease just
        // after the put returns, so wait for both rather than reading the handle in between.
        await EtcdTestStores.EventuallyAsync(
            async () => (await direct.GetAsync(key))?.Value == "me" && registration.Lease != lease && registration.State == KvRegistrationState.Registered,
            TimeSpan.FromSeconds(10),
            "the entry is re-created under a new lease after healing");
        Assert.NotEqual(lease, registration.Lease);
        Assert.Equal(KvRegistrationState.Registered, registration.State);
    }
}

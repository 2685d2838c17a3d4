using Tend.Core.Kv;
using Tend.Core.Mirror;
using Tend.Testing;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Stores.Tests.Consul;

/// <summary>The agent killed and started again: dev mode comes back empty, with its index from the beginning.</summary>
[Collection(ConsulChaosCollection.Name)]
public sealed class ConsulChaosTests(ConsulChaosServer server)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(45);
    private readonly string _root = "/chaos/t" + Guid.NewGuid().ToString("N")[..10];

    [SkippableFact]
    public async Task Mirror_AgentRestartsEmpty_IndexResetResyncsToTheNewStateNothingStale()
    {
        await using var store = ConsulTestStores.Create(server);
        for (int i = 0; i < 20; i++)
        {
            await store.PutAsync($"{_root}/old/{i}", "before");
        }

        await store.PutAsync(_root + "/kept", "before");
        var before = await store.ListAsync(_root);
        await using var mirror = new KvMirror(store, _root);
        mirror.Start();
        await mirror.WhenSynced.WaitAsync(Timeout);

        await server.RestartAsync();
        var written = await PutUntilAcceptedAsync(store, _root + "/kept", "after");

        Assert.True(written < before.Revision, "the restarted agent's index starts again from the beginning");
        await WaitUntilAsync(() => mirror.Current.Count == 1 && mirror.Current[0].Value == "after");
        Assert.Equal([(_root + "/kept", "after")], mirror.Current.Select(p => (p.Key, p.Value)));
    }

    [SkippableFact]
    public async Task Watch_AgentDownThenBack_ResyncThenChangesFollow()
    {
        await using var store = ConsulTestStores.Create(server);

        // Enough writes that the index is well past where a freshly started agent begins.
        for (int i = 0; i < 40; i++)
        {
            await store.PutAsync(_root + "/w/a", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var start = await store.ListAsync(_root + "/w");
        await using var watch = new Tend.Testing.WatchReader(store, _root + "/w", start.Revision + 1, Timeout);
        await watch.ReadyAsync();

        await server.RestartAsync();
        await PutUntilAcceptedAsync(store, _root + "/w/b", "2");

        // The resync comes with the first answer of the restarted agent, before or after the put landed.
        var resync = await watch.NextBatchAsync(b => b.IsResync);
        Assert.DoesNotContain(resync.Resync!, p => p.Key == _root + "/w/a");
        if (resync.Resync!.Count == 0)
        {
            var put = await watch.NextBatchAsync(b => b.Changes.Count > 0);
            Assert.Equal([(_root + "/w/b", "2")], put.Changes.Select(c => (c.Key, c.Value!)));
        }
        else
        {
            Assert.Equal([(_root + "/w/b", "2")], resync.Resync!.Select(p => (p.Key, p.Value)));
        }

        await store.PutAsync(_root + "/w/c", "3");
        var next = await watch.NextBatchAsync(b => b.Changes.Count > 0);
        Assert.Equal(_root + "/w/c", next.Changes.Single().Key);
    }

    [SkippableFact]
    public async Task Register_AgentRestartsEmpty_SessionAndKeyReCreated()
    {
        await using var store = ConsulTestStores.Create(server);
        var key = _root + "/svc/host:80";
        await using var registration = await store.RegisterAsync(key, "v", TimeSpan.FromSeconds(10));

        await server.RestartAsync();

        await WaitUntilAsync(async () =>
        {
            try
            {
                return (await store.GetAsync(key))?.Value == "v" && registration.State == KvRegistrationState.Registered;
            }
            catch (KvStoreException)
            {
                return false;
            }
        });
    }

    [SkippableFact]
    public async Task Health_AgentKilledThenStarted_UnreachableWhileDownThenConnectedAndTheMirrorCountsTheReconnect()
    {
        await using var store = ConsulTestStores.Create(server);
        await store.PutAsync(_root + "/h/a", "1");
        await using var mirror = new KvMirror(store, _root + "/h");
        mirror.Start();
        await mirror.WhenSynced.WaitAsync(Timeout);
        Assert.Equal(KvStoreConnectionState.Connected, store.Health.State);

        server.Kill();
        try
        {
            await WaitUntilAsync(() => store.Health.IsUnreachable);
            Assert.NotNull(store.Health.Since);
            Assert.NotNull(store.Health.LastError);
            Assert.Equal(KvMirrorState.Reconnecting, mirror.State);
        }
        finally
        {
            await server.StartAgainAsync();
        }

        await PutUntilAcceptedAsync(store, _root + "/h/a", "2");
        await WaitUntilAsync(() => store.Health.State == KvStoreConnectionState.Connected && mirror.Current.Get(_root + "/h/a")?.Value == "2");
        Assert.True(store.Health.Reconnects >= 1);
        Assert.True(mirror.ReconnectCount >= store.Health.Reconnects);
    }

    private static async Task<long> PutUntilAcceptedAsync(IKvStore store, string key, string value)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            try
            {
                return await store.PutAsync(key, value);
            }
            catch (KvStoreException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    private static Task WaitUntilAsync(Func<bool> condition) => Poll.UntilAsync(condition, Timeout);

    private static Task WaitUntilAsync(Func<Task<bool>> condition) => Poll.UntilAsync(condition, Timeout);
}

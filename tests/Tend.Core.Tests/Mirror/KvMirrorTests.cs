using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Tend.Core.Kv;
using Tend.Core.Mirror;
using Tend.Core.Retry;
using Tend.Stores.Memory;
using Xunit;

namespace Tend.Core.Tests.Mirror;

public sealed class KvMirrorTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Start_ExistingKeys_SyncedSnapshotWithoutNotification()
    {
        await using var store = new MemoryKvStore();
        await store.PutAsync("/app/a", "1");
        await store.PutAsync("/other", "x");
        await using var mirror = new KvMirror(store, "/app");
        var updates = new ConcurrentQueue<KvMirrorUpdate>();
        using var _ = mirror.Subscribe(updates.Enqueue);
        mirror.Start();
        await mirror.WhenSynced.WaitAsync(Timeout);

        Assert.Equal([("/app/a", "1")], mirror.Current.Select(p => (p.Key, p.Value)));
        Assert.Empty(updates);
        Assert.Equal(KvMirrorState.Watching, await WaitForState(mirror, KvMirrorState.Watching));
    }

    [Fact]
    public async Task Update_PutSameValue_NotReportedAsChanged()
    {
        await using var store = new MemoryKvStore();
        await store.PutAsync("/app/a", "1");
        await using var mirror = new KvMirror(store, "/app");
        var updates = new ConcurrentQueue<KvMirrorUpdate>();
        using var _ = mirror.Subscribe(updates.Enqueue);
        mirror.Start();
        await mirror.WhenSynced.WaitAsync(Timeout);

        await store.PutAsync("/app/a", "1");
        var rev = await store.PutAsync("/app/b", "2");
        await mirror.WaitForRevisionAsync(rev).WaitAsync(Timeout);

        var all = updates.SelectMany(u => u.ChangedKeys).ToList();
        Assert.Equal(["/app/b"], all);
    }

    [Fact]
    public async Task Resync_AfterCompaction_SubscribersToldExactChangedKeys()
    {
        var store = new FlakyStore(new MemoryKvStore());
        await store.Inner.PutAsync("/app/keep", "same");
        await store.Inner.PutAsync("/app/gone", "x");
        await using var mirror = new KvMirror(store, "/app", retry: new ExponentialBackoff(TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(5)));
        var updates = new ConcurrentQueue<KvMirrorUpdate>();
        using var _ = mirror.Subscribe(updates.Enqueue);
        mirror.Start();
        await mirror.WhenSynced.WaitAsync(Timeout);

        // Synced comes before the watch is opened: wait for a change through the watch, so the
        // break below hits a live stream (otherwise the watch may open after the heal and see
        // the compaction without ever reconnecting).
        await mirror.WaitForRevisionAsync(await store.Inner.PutAsync("/app/keep", "same")).WaitAsync(Timeout);

        // Break the watch, change things while it is down, and compact the history away.
        store.BreakWatches();
        await store.Inner.DeleteAsync("/app/gone");
        var rev = await store.Inner.PutAsync("/app/new", "n");
        store.Inner.Compact(rev + 1);
        store.Heal();

        await mirror.WaitForRevisionAsync(rev).WaitAsync(Timeout);
        var resync = Assert.Single(updates, u => u.IsResync);
        Assert.Equal(["/app/gone", "/app/new"], resync.ChangedKeys);
        Assert.Equal([("/app/keep", "same"), ("/app/new", "n")], mirror.Current.Select(p => (p.Key, p.Value)));
        Assert.True(mirror.ReconnectCount >= 1);
    }

    [Fact]
    public async Task Outage_WatchBreaksRepeatedly_EndsEqualToStoreAndNoChangeLost()
    {
        var store = new FlakyStore(new MemoryKvStore());
        await using var mirror = new KvMirror(store, "/", retry: new ExponentialBackoff(TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(5)));
        var seen = new ConcurrentQueue<KvChange>();
        using var _ = mirror.Subscribe(u =>
        {
            foreach (var c in u.Changes)
            {
                seen.Enqueue(c);
            }
        });
        mirror.Start();
        await mirror.WhenSynced.WaitAsync(Timeout);

        long last = 0;
        for (int i = 0; i < 200; i++)
        {
            if (i % 37 == 0)
            {
                store.BreakWatches();
            }

            last = await store.Inner.PutAsync($"/k/{i % 10}", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (i % 37 == 5)
            {
                store.Heal();
            }
        }

        store.Heal();
        await mirror.WaitForRevisionAsync(last).WaitAsync(Timeout);
        var truth = await store.Inner.ListAsync("/");
        Assert.Equal(truth.Select(p => (p.Key, p.Value)), mirror.Current.Select(p => (p.Key, p.Value)));

        // Every write was delivered exactly once and in order (the memory store kept all history).
        Assert.Equal(Enumerable.Range(0, 200).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), seen.Select(c => c.Value));
    }

    [Fact]
    public async Task Start_StoreDownAtFirst_RetriesUntilSynced()
    {
        var store = new FlakyStore(new MemoryKvStore());
        await store.Inner.PutAsync("/a", "1");
        store.BreakAll();
        await using var mirror = new KvMirror(store, "/", retry: new ExponentialBackoff(TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(5)));
        mirror.Start();

        // Wait for the first failed attempt itself, not a fixed time: on a loaded machine it can take longer.
        var deadline = DateTime.UtcNow + Timeout;
        while (mirror.LastError is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
        }

        Assert.NotNull(mirror.LastError);
        Assert.False(mirror.IsSynced);
        store.Heal();
        await mirror.WhenSynced.WaitAsync(Timeout);
        Assert.Equal("1", mirror.Current.Get("/a")!.Value);
    }

    [Fact]
    public async Task Subscriber_Throws_OtherSubscribersStillCalled()
    {
        await using var store = new MemoryKvStore();
        await using var mirror = new KvMirror(store, "/");
        var calls = 0;
        using var a = mirror.Subscribe(_ => throw new InvalidOperationException("boom"));
        using var b = mirror.Subscribe(_ => Interlocked.Increment(ref calls));
        mirror.Start();
        await mirror.WhenSynced.WaitAsync(Timeout);
        var rev = await store.PutAsync("/x", "1");
        await mirror.WaitForRevisionAsync(rev).WaitAsync(Timeout);
        Assert.Equal(1, calls);
    }

    private static async Task<KvMirrorState> WaitForState(KvMirror mirror, KvMirrorState state)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (mirror.State != state && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
        }

        return mirror.State;
    }

    /// <summary>Wraps a store and breaks its watches (and optionally lists) on demand, like a store outage.</summary>
    private sealed class FlakyStore(MemoryKvStore inner) : IKvStore
    {
        private volatile CancellationTokenSource _outage = new();
        private volatile bool _down;
        private volatile bool _listsDown;

        public MemoryKvStore Inner { get; } = inner;

        public string Name => "flaky";

        public KvStoreCapabilities Capabilities => KvStoreCapabilities.All;

        public void BreakWatches()
        {
            _down = true;
            _outage.Cancel();
        }

        public void BreakAll()
        {
            _listsDown = true;
            BreakWatches();
        }

        public void Heal()
        {
            _outage = new CancellationTokenSource();
            _down = false;
            _listsDown = false;
        }

        public Task<KvPair?> GetAsync(string key, CancellationToken cancellationToken = default) => Inner.GetAsync(key, cancellationToken);

        public Task<KvSnapshot> ListAsync(string prefix, CancellationToken cancellationToken = default) =>
            _listsDown ? throw new KvStoreUnavailableException("down") : Inner.ListAsync(prefix, cancellationToken);

        public async IAsyncEnumerable<KvChangeBatch> WatchAsync(string prefix, long fromRevision, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            if (_down)
            {
                throw new KvStoreUnavailableException("down");
            }

            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _outage.Token);
            var e = Inner.WatchAsync(prefix, fromRevision, linked.Token).GetAsyncEnumerator(linked.Token);
            try
            {
                while (true)
                {
                    bool more;
                    try
                    {
                        more = await e.MoveNextAsync();
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        throw new KvStoreUnavailableException("connection lost");
                    }

                    if (!more)
                    {
                        yield break;
                    }

                    yield return e.Current;
                }
            }
            finally
            {
                await e.DisposeAsync();
            }
        }

        public Task<long> PutAsync(string key, string value, CancellationToken cancellationToken = default) => Inner.PutAsync(key, value, cancellationToken);

        public Task<long> DeleteAsync(string key, bool prefix = false, CancellationToken cancellationToken = default) => Inner.DeleteAsync(key, prefix, cancellationToken);

        public Task<KvTransactionResult> CommitAsync(KvTransaction transaction, CancellationToken cancellationToken = default) => Inner.CommitAsync(transaction, cancellationToken);

        public Task<IKvRegistration> RegisterAsync(string key, string value, TimeSpan ttl, CancellationToken cancellationToken = default) => Inner.RegisterAsync(key, value, ttl, cancellationToken);

        public ValueTask DisposeAsync() => Inner.DisposeAsync();
    }
}

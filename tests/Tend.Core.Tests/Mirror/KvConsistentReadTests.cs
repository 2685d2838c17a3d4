using System.Collections.Concurrent;
using Tend.Core.Kv;
using Tend.Core.Mirror;
using Tend.Stores.Memory;
using Xunit;

namespace Tend.Core.Tests.Mirror;

public sealed class KvConsistentReadTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task FromMirrorsAsync_TransactionDeliveredToOneMirrorOnly_OtherCaughtUpAndToldOnce()
    {
        var store = await TwoPrefixStoreAsync();
        await using var a = await StartedMirrorAsync(store, "/a");
        await using var b = await StartedMirrorAsync(store, "/b");
        var told = new ConcurrentQueue<string>();
        using var _ = b.Subscribe(u =>
        {
            foreach (var k in u.ChangedKeys)
            {
                told.Enqueue($"{k}={u.Current.Get(k)?.Value}");
            }
        });

        store.Hold("/b");
        var rev = (await store.CommitAsync(new KvTransaction([], [KvOperation.Put("/a/x", "1"), KvOperation.Put("/b/x", "1")]))).Revision;
        await a.WaitForRevisionAsync(rev).WaitAsync(Timeout);
        Assert.Equal("0", b.Current.Get("/b/x")!.Value);

        var read = await KvConsistentRead.FromMirrorsAsync([a, b]).WaitAsync(Timeout);

        Assert.Equal(["1", "1"], read.Select(s => s.Single().Value));
        Assert.Equal(["/b/x=1"], told);

        // The held watch's own copy of the transaction arrives later and is not told a second time.
        store.Release("/b");
        var later = await store.PutAsync("/b/y", "2");
        await b.WaitForRevisionAsync(later).WaitAsync(Timeout);
        Assert.Equal(["/b/x=1", "/b/y=2"], told);
    }

    [Fact]
    public async Task FromMirrorsAsync_OtherPrefixQuietAndItsWatchSilent_ReturnsWithoutWaitingForIt()
    {
        var store = await TwoPrefixStoreAsync();
        await using var a = await StartedMirrorAsync(store, "/a");
        await using var b = await StartedMirrorAsync(store, "/b");
        store.Hold("/b");
        var rev = await store.PutAsync("/a/x", "1");
        await a.WaitForRevisionAsync(rev).WaitAsync(Timeout);

        var read = await KvConsistentRead.FromMirrorsAsync([a, b]).WaitAsync(Timeout);

        Assert.Equal(["1", "0"], read.Select(s => s.Single().Value));
        Assert.True(b.Current.Revision >= rev, "the quiet mirror was moved on to the store's revision");
        Assert.Equal(1, store.CatchUps);
        Assert.Equal(1, b.CatchUpCount);

        // Read again: now both views overlap without asking the store.
        await KvConsistentRead.FromMirrorsAsync([a, b]).WaitAsync(Timeout);
        Assert.Equal(1, store.CatchUps);
    }

    [Fact]
    public async Task FromMirrorsAsync_StoreUnreachableWhileOneLags_ThrowsAndMirrorKeepsItsState()
    {
        var store = await TwoPrefixStoreAsync();
        await using var a = await StartedMirrorAsync(store, "/a");
        await using var b = await StartedMirrorAsync(store, "/b");
        store.Hold("/b");
        var rev = (await store.CommitAsync(new KvTransaction([], [KvOperation.Put("/a/x", "1"), KvOperation.Put("/b/x", "1")]))).Revision;
        await a.WaitForRevisionAsync(rev).WaitAsync(Timeout);
        store.Health = new KvStoreHealth { State = KvStoreConnectionState.Unreachable, LastError = "gone" };

        await Assert.ThrowsAsync<KvStoreUnavailableException>(() => KvConsistentRead.FromMirrorsAsync([a, b]));
        Assert.Equal("0", b.Current.Get("/b/x")!.Value);
    }

    [Fact]
    public async Task FromStoreAsync_TransactionBetweenTwoListings_FirstListingCaughtUp()
    {
        var store = await TwoPrefixStoreAsync();
        int writes = 0;
        store.AfterList = async prefix =>
        {
            if (prefix == "/a" && Interlocked.Increment(ref writes) == 1)
            {
                await store.CommitAsync(new KvTransaction([], [KvOperation.Put("/a/x", "1"), KvOperation.Put("/b/x", "1")]));
            }
        };

        var read = await KvConsistentRead.FromStoreAsync(store, ["/a", "/b"]).WaitAsync(Timeout);

        Assert.Equal(["1", "1"], read.Select(s => s.Single().Value));
    }

    [Fact]
    public async Task State_StoreReportsItsServerUnreachable_ReconnectingWithTheStoresErrorUntilBack()
    {
        var store = new ScriptedWatchStore(new MemoryKvStore());
        await using var mirror = await StartedMirrorAsync(store, "/");
        await WaitForStateAsync(mirror, KvMirrorState.Watching);
        Assert.Null(mirror.CurrentError);

        store.Health = new KvStoreHealth { State = KvStoreConnectionState.Unreachable, Since = DateTimeOffset.UtcNow, LastError = "etcd(x): connection refused" };
        Assert.Equal(KvMirrorState.Reconnecting, mirror.State);
        Assert.Equal("etcd(x): connection refused", mirror.CurrentError);
        Assert.Equal(0, mirror.ReconnectCount);

        store.Health = new KvStoreHealth { State = KvStoreConnectionState.Connected, LastError = "etcd(x): connection refused", Reconnects = 1 };
        Assert.Equal(KvMirrorState.Watching, mirror.State);
        Assert.Null(mirror.CurrentError);
        Assert.Equal(1, mirror.ReconnectCount);
    }

    [Fact]
    public void Compare_SameKeysValuesAndRevisions_ProgressElseResync()
    {
        var known = KvSnapshot.Create("/p", 5, [new KvPair("/p/a", "1", 3)]);

        Assert.True(KvCatchUp.Compare(known, KvSnapshot.Create("/p", 9, [new KvPair("/p/a", "1", 3)])) is { IsProgress: true, Revision: 9 });
        Assert.True(KvCatchUp.Compare(known, KvSnapshot.Create("/p", 9, [new KvPair("/p/a", "2", 7)])).IsResync);
        Assert.True(KvCatchUp.Compare(known, KvSnapshot.Create("/p", 9, [])).IsResync);

        // The same value written again: a watcher that compares revisions needs the new one.
        var rewritten = KvSnapshot.Create("/p", 9, [new KvPair("/p/a", "1", 8)]);
        Assert.True(KvCatchUp.Compare(known, rewritten).IsResync);
        Assert.True(KvCatchUp.Compare(known, rewritten, compareRevisions: false).IsProgress);
    }

    [Fact]
    public async Task CatchUpAsync_PrefixedStore_KeysMappedBothWays()
    {
        await using var inner = new MemoryKvStore();
        await inner.PutAsync("/prod/app/a", "1");
        IKvStore store = new PrefixedKvStore(inner, "/prod");
        var known = await store.ListAsync("/app");

        Assert.True((await store.CatchUpAsync(known)).IsProgress);

        await inner.PutAsync("/prod/app/b", "2");
        var batch = await store.CatchUpAsync(known);
        Assert.True(batch.IsResync);
        Assert.Equal("/app", batch.Resync!.Prefix);
        Assert.Equal(["/app/a", "/app/b"], batch.Resync.Select(p => p.Key));
    }

    private static async Task<ScriptedWatchStore> TwoPrefixStoreAsync()
    {
        var store = new ScriptedWatchStore(new MemoryKvStore());
        await store.PutAsync("/a/x", "0");
        await store.PutAsync("/b/x", "0");
        return store;
    }

    private static async Task<KvMirror> StartedMirrorAsync(IKvStore store, string prefix)
    {
        var mirror = new KvMirror(store, prefix);
        mirror.Start();
        await mirror.WhenSynced.WaitAsync(Timeout);
        return mirror;
    }

    private static async Task WaitForStateAsync(KvMirror mirror, KvMirrorState state)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (mirror.State != state)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the mirror stayed {mirror.State}");
            await Task.Delay(5);
        }
    }
}

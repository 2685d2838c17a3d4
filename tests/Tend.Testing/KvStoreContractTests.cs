using Tend.Core.Kv;
using Tend.Core.Mirror;
using Xunit;

namespace Tend.Testing;

/// <summary>
/// The behaviour every <see cref="IKvStore"/> must show. A store's test class derives from this and
/// supplies the store; each test works below its own random <see cref="Root"/>, so one server can
/// serve every test. Read-only stores override the write hooks (the file store rewrites its file),
/// and capabilities a store lacks are asserted to be refused with <see cref="KvNotSupportedException"/>.
/// </summary>
public abstract class KvStoreContractTests : IAsyncLifetime
{
    private IKvStore? _store;

    /// <summary>The prefix this test owns.</summary>
    protected string Root { get; } = "/contract/t" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>The store under test.</summary>
    protected IKvStore Store => _store ?? throw new InvalidOperationException("The store is not created yet.");

    /// <summary>How long to wait for an event before failing.</summary>
    protected virtual TimeSpan EventTimeout => TimeSpan.FromSeconds(15);

    /// <summary>Creates the store under test (connected, ready).</summary>
    protected abstract Task<IKvStore> CreateStoreAsync();

    /// <summary>Writes several keys (null value = delete) as one change where the store allows it; returns the resulting revision.</summary>
    protected virtual async Task<long> WriteAsync(params (string Key, string? Value)[] writes)
    {
        long rev = 0;
        foreach (var (k, v) in writes)
        {
            rev = v is null ? await DeleteAndGetRevisionAsync(k) : await Store.PutAsync(k, v);
        }

        return rev;
    }

    /// <summary>Makes the store unable to resume a watch from an old revision (compaction, session expiry, file replaced).</summary>
    protected abstract Task ForceResyncAsync();

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task List_KeysUnderPrefix_SortedAndPrefixIsolated()
    {
        await WriteAsync((Root + "/b", "2"), (Root + "/a", "1"), (Root + "/a/x", "3"), (Root + "-sibling", "no"), (Root + "ab", "no"));

        var all = await Store.ListAsync(Root);
        Assert.Equal([Root + "/a", Root + "/a/x", Root + "/b"], all.Select(p => p.Key));
        Assert.Equal(["1", "3", "2"], all.Select(p => p.Value));
        Assert.True(all.Revision > 0);

        var sub = await Store.ListAsync(Root + "/a");
        Assert.Equal([Root + "/a", Root + "/a/x"], sub.Select(p => p.Key));
        Assert.Empty(await Store.ListAsync(Root + "/missing"));
    }

    [SkippableFact]
    public async Task Get_ExistingAndMissing_ValueOrNull()
    {
        await WriteAsync((Root + "/k", "héllo wörld"));
        var pair = await Store.GetAsync(Root + "/k");
        Assert.NotNull(pair);
        Assert.Equal("héllo wörld", pair.Value);
        Assert.Equal(Root + "/k", pair.Key);
        Assert.Null(await Store.GetAsync(Root + "/nope"));
    }

    [SkippableFact]
    public async Task Watch_ManyChanges_DeliveredInOrderWithoutGaps()
    {
        var start = await Store.ListAsync(Root);
        await using var watch = new WatchReader(Store, Root, start.Revision + 1, EventTimeout);
        await watch.ReadyAsync();
        for (int i = 0; i < 30; i++)
        {
            await WriteAsync(($"{Root}/seq/{i % 5}", i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        var changes = await watch.TakeChangesAsync(30);
        Assert.Equal(Enumerable.Range(0, 30).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), changes.Select(c => c.Value));
        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"{Root}/seq/{i % 5}"), changes.Select(c => c.Key));
        for (int i = 1; i < changes.Count; i++)
        {
            Assert.True(changes[i].Revision > changes[i - 1].Revision, "revisions must grow");
        }
    }

    [SkippableFact]
    public async Task Watch_FromRevision_ReplaysExactlyTheMissedChanges()
    {
        await WriteAsync((Root + "/before", "0"));
        var snapshot = await Store.ListAsync(Root);
        await WriteAsync((Root + "/one", "1"));
        await WriteAsync((Root + "/two", "2"));
        await WriteAsync((Root + "/one", null));

        await using var watch = new WatchReader(Store, Root, snapshot.Revision + 1, EventTimeout);
        var changes = await watch.TakeChangesAsync(3);
        Assert.Equal([KvChangeKind.Put, KvChangeKind.Put, KvChangeKind.Delete], changes.Select(c => c.Kind));
        Assert.Equal([Root + "/one", Root + "/two", Root + "/one"], changes.Select(c => c.Key));

        // Nothing more arrives: no duplicate of the replayed history.
        await WriteAsync((Root + "/three", "3"));
        var next = await watch.TakeChangesAsync(1);
        Assert.Equal(Root + "/three", next[0].Key);
    }

    [SkippableFact]
    public async Task Watch_ChangesOutsidePrefix_NotDelivered()
    {
        var start = await Store.ListAsync(Root + "/in");
        await using var watch = new WatchReader(Store, Root + "/in", start.Revision + 1, EventTimeout);
        await watch.ReadyAsync();
        await WriteAsync((Root + "/inside", "no"));
        await WriteAsync((Root + "/out", "no"));
        await WriteAsync((Root + "/in/x", "yes"));

        var changes = await watch.TakeChangesAsync(1);
        Assert.Equal(Root + "/in/x", Assert.Single(changes).Key);
    }

    [SkippableFact]
    public async Task Watch_FromUnservableRevision_StartsWithResyncOfCurrentState()
    {
        await WriteAsync((Root + "/a", "1"));
        var old = await Store.ListAsync(Root);
        await WriteAsync((Root + "/a", "2"), (Root + "/b", "3"));
        await ForceResyncAsync();

        await using var watch = new WatchReader(Store, Root, old.Revision + 1, EventTimeout);
        var batch = await watch.NextBatchAsync(b => b.IsResync);
        Assert.Equal([(Root + "/a", "2"), (Root + "/b", "3")], batch.Resync!.Select(p => (p.Key, p.Value)));
    }

    [SkippableFact]
    public async Task Mirror_AfterRandomWrites_EqualsStore()
    {
        var random = new Random(42);
        await WriteAsync((Root + "/seed", "x"));
        await using var mirror = new KvMirror(Store, Root);
        mirror.Start();
        await mirror.WhenSynced.WaitAsync(EventTimeout);
        long last = 0;
        for (int i = 0; i < 40; i++)
        {
            var key = $"{Root}/m/{random.Next(8)}";
            last = await WriteAsync((key, random.Next(3) == 0 ? null : "v" + i));
        }

        last = Math.Max(last, (await Store.ListAsync(Root)).Revision);
        await mirror.WaitForRevisionAsync(last).WaitAsync(EventTimeout);
        var truth = await Store.ListAsync(Root);
        Assert.Equal(truth.Select(p => (p.Key, p.Value)), mirror.Current.Select(p => (p.Key, p.Value)));
    }

    [SkippableFact]
    public async Task CatchUp_NothingChangedUnderPrefix_ProgressAtLeastAtTheStoresRevision()
    {
        await WriteAsync((Root + "/p", "self"), (Root + "/p/a", "1"), (Root + "/p/b/c", "2"));
        var known = await Store.ListAsync(Root + "/p");
        var elsewhere = await WriteAsync((Root + "/other", "x"), (Root + "/p-sibling", "y"));

        var batch = await Store.CatchUpAsync(known).WaitAsync(EventTimeout);

        Assert.True(batch.IsProgress, $"expected a progress notification, got {batch}");
        Assert.True(batch.Revision >= elsewhere, $"progress at {batch.Revision}, the store was at {elsewhere}");
    }

    [SkippableFact]
    public async Task CatchUp_NothingWrittenAnywhereSince_ProgressAtTheSnapshotsRevision()
    {
        await WriteAsync((Root + "/q", "self"), (Root + "/q/a", "1"));
        var known = await Store.ListAsync(Root + "/q");

        var batch = await Store.CatchUpAsync(known).WaitAsync(EventTimeout);

        Assert.True(batch.IsProgress, $"expected a progress notification, got {batch}");
        Assert.True(batch.Revision >= known.Revision, $"progress at {batch.Revision}, the snapshot was at {known.Revision}");

        // A child written after the snapshot, with the prefix key itself untouched, is still found.
        await WriteAsync((Root + "/q/b", "2"));
        batch = await Store.CatchUpAsync(known).WaitAsync(EventTimeout);
        Assert.Equal([(Root + "/q", "self"), (Root + "/q/a", "1"), (Root + "/q/b", "2")], batch.Resync?.Select(p => (p.Key, p.Value)));
    }

    [SkippableFact]
    public async Task CatchUp_ValueChangedKeyAddedKeyDeleted_EachAResyncToTheCurrentKeys()
    {
        await WriteAsync((Root + "/p/a", "1"), (Root + "/p/b", "2"));
        var known = await Store.ListAsync(Root + "/p");

        var changed = await WriteAsync((Root + "/p/a", "3"));
        var batch = await Store.CatchUpAsync(known).WaitAsync(EventTimeout);
        Assert.True(batch.IsResync, $"a changed value: expected a resync, got {batch}");
        Assert.True(batch.Revision >= changed);
        Assert.Equal([(Root + "/p/a", "3"), (Root + "/p/b", "2")], batch.Resync!.Select(p => (p.Key, p.Value)));

        known = batch.Resync!;
        await WriteAsync((Root + "/p/c", "4"));
        batch = await Store.CatchUpAsync(known).WaitAsync(EventTimeout);
        Assert.Equal([(Root + "/p/a", "3"), (Root + "/p/b", "2"), (Root + "/p/c", "4")], batch.Resync?.Select(p => (p.Key, p.Value)));

        known = batch.Resync!;
        await WriteAsync((Root + "/p/b", null));
        batch = await Store.CatchUpAsync(known).WaitAsync(EventTimeout);
        Assert.Equal([(Root + "/p/a", "3"), (Root + "/p/c", "4")], batch.Resync?.Select(p => (p.Key, p.Value)));

        known = batch.Resync!;
        await WriteAsync((Root + "/p", "self"));
        batch = await Store.CatchUpAsync(known).WaitAsync(EventTimeout);
        Assert.Equal([(Root + "/p", "self"), (Root + "/p/a", "3"), (Root + "/p/c", "4")], batch.Resync?.Select(p => (p.Key, p.Value)));
    }

    [SkippableFact]
    public async Task Delete_Prefix_RemovesSubtreeOnly()
    {
        if (!Store.Capabilities.HasFlag(KvStoreCapabilities.Write))
        {
            await Assert.ThrowsAsync<KvNotSupportedException>(() => Store.DeleteAsync(Root, prefix: true));
            return;
        }

        await WriteAsync((Root + "/d", "1"), (Root + "/d/x", "2"), (Root + "/d/x/y", "3"), (Root + "/dd", "4"));
        var removed = await Store.DeleteAsync(Root + "/d", prefix: true);
        Assert.Equal(3, removed);
        Assert.Equal([Root + "/dd"], (await Store.ListAsync(Root)).Select(p => p.Key));
        Assert.Equal(0, await Store.DeleteAsync(Root + "/nothing"));
    }

    [SkippableFact]
    public async Task Put_OnReadOnlyStore_RefusedClearly()
    {
        if (Store.Capabilities.HasFlag(KvStoreCapabilities.Write))
        {
            var rev = await Store.PutAsync(Root + "/w", "v");
            Assert.True(rev > 0);
            Assert.Equal("v", (await Store.GetAsync(Root + "/w"))!.Value);
            return;
        }

        var ex = await Assert.ThrowsAsync<KvNotSupportedException>(() => Store.PutAsync(Root + "/w", "v"));
        Assert.Contains("read-only", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [SkippableFact]
    public async Task Commit_ComparesHold_AllAppliedAtOneRevision()
    {
        if (!Store.Capabilities.HasFlag(KvStoreCapabilities.Transactions))
        {
            await Assert.ThrowsAsync<KvNotSupportedException>(() => Store.CommitAsync(KvTransaction.Of(KvOperation.Put(Root + "/t", "1"))));
            return;
        }

        await WriteAsync((Root + "/t/old", "x"), (Root + "/t/guard", "g"));
        var start = await Store.ListAsync(Root);
        await using var watch = new WatchReader(Store, Root, start.Revision + 1, EventTimeout);
        var txn = new KvTransaction(
            [KvCompare.ValueEquals(Root + "/t/guard", "g"), KvCompare.Missing(Root + "/t/new1")],
            [KvOperation.Put(Root + "/t/new1", "1"), KvOperation.Put(Root + "/t/new2", "2"), KvOperation.Delete(Root + "/t/old")]);
        var result = await Store.CommitAsync(txn);
        Assert.True(result.Succeeded);

        var changes = await watch.TakeChangesAsync(3);
        Assert.All(changes, c => Assert.Equal(changes[0].Revision, c.Revision));
        Assert.Equal(
            [(Root + "/t/guard", "g"), (Root + "/t/new1", "1"), (Root + "/t/new2", "2")],
            (await Store.ListAsync(Root + "/t")).Select(p => (p.Key, p.Value)));
    }

    [SkippableFact]
    public async Task Commit_CompareFails_NothingApplied()
    {
        if (!Store.Capabilities.HasFlag(KvStoreCapabilities.Transactions))
        {
            await Assert.ThrowsAsync<KvNotSupportedException>(() => Store.CommitAsync(KvTransaction.Of(KvOperation.Delete(Root + "/t"))));
            return;
        }

        await WriteAsync((Root + "/t/guard", "g"));
        var before = await Store.ListAsync(Root);
        var txn = new KvTransaction(
            [KvCompare.ValueEquals(Root + "/t/guard", "other")],
            [KvOperation.Put(Root + "/t/new", "1"), KvOperation.DeletePrefix(Root + "/t")]);
        var result = await Store.CommitAsync(txn);
        Assert.False(result.Succeeded);
        var after = await Store.ListAsync(Root);
        Assert.Equal(before.Select(p => (p.Key, p.Value)), after.Select(p => (p.Key, p.Value)));
    }

    [SkippableFact]
    public async Task Register_ThenDispose_EntryAppearsAndIsRemovedAtOnce()
    {
        var key = Root + "/svc/host:80";
        if (!Store.Capabilities.HasFlag(KvStoreCapabilities.Ephemeral))
        {
            var ex = await Assert.ThrowsAsync<KvNotSupportedException>(() => Store.RegisterAsync(key, "{}", TimeSpan.FromSeconds(10)));
            Assert.Contains("ephemeral", ex.Message, StringComparison.OrdinalIgnoreCase);
            return;
        }

        var start = await Store.ListAsync(Root);
        await using var watch = new WatchReader(Store, Root, start.Revision + 1, EventTimeout);
        var registration = await Store.RegisterAsync(key, "{\"port\":80}", TimeSpan.FromSeconds(10));
        Assert.Equal(KvRegistrationState.Registered, registration.State);
        Assert.Equal("{\"port\":80}", (await Store.GetAsync(key))!.Value);

        await registration.DisposeAsync();
        Assert.Equal(KvRegistrationState.Closed, registration.State);
        Assert.Null(await Store.GetAsync(key));
        var changes = await watch.TakeChangesAsync(2);
        Assert.Equal([KvChangeKind.Put, KvChangeKind.Delete], changes.Select(c => c.Kind));
    }

    private async Task<long> DeleteAndGetRevisionAsync(string key)
    {
        await Store.DeleteAsync(key);
        return (await Store.ListAsync(key)).Revision;
    }
}

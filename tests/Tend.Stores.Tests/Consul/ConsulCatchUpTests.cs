using Tend.Core.Kv;
using Tend.Core.Mirror;
using Tend.Stores.Consul;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Stores.Tests.Consul;

/// <summary>Catching a prefix up with the store (for reads of several prefixes at one index), against a real dev agent.</summary>
[Collection(ConsulCollection.Name)]
public sealed class ConsulCatchUpTests(ConsulServer server) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private readonly string _root = "/catchup/t" + Guid.NewGuid().ToString("N")[..10];
    private ConsulKvStore _store = null!;

    public Task InitializeAsync()
    {
        _store = ConsulTestStores.Create(server);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task CatchUp_QuietPrefixWriteElsewhere_ProgressAtTheKvStoresIndexNotThePrefixs()
    {
        await _store.PutAsync(_root + "/quiet/a", "1");
        var known = await _store.ListAsync(_root + "/quiet");
        var elsewhere = await _store.PutAsync(_root + "/busy/x", "2");

        var batch = await _store.CatchUpAsync(known).WaitAsync(Timeout);

        Assert.True(batch.IsProgress, $"expected progress, got {batch}");
        Assert.True(batch.Revision >= elsewhere, $"progress at {batch.Revision}, the KV store was at {elsewhere} (the prefix at {known.Revision})");
    }

    [SkippableFact]
    public async Task CatchUp_ChangeAfterAProgress_Resync()
    {
        await _store.PutAsync(_root + "/p/a", "1");
        var listed = await _store.ListAsync(_root + "/p");
        await _store.PutAsync(_root + "/elsewhere", "x");
        var progress = await _store.CatchUpAsync(listed);
        var known = KvSnapshot.Create(listed.Prefix, progress.Revision, listed);

        await _store.DeleteAsync(_root + "/p/a");
        var batch = await _store.CatchUpAsync(known).WaitAsync(Timeout);

        Assert.True(batch.IsResync, $"expected a resync, got {batch}");
        Assert.Empty(batch.Resync!);
        Assert.True(batch.Revision > progress.Revision);
    }

    [SkippableFact]
    public async Task CatchUp_KeyBesideThePrefixChanged_StillProgress()
    {
        await _store.PutAsync(_root + "/app/a", "1");
        var known = await _store.ListAsync(_root + "/app");
        var sibling = await _store.PutAsync(_root + "/apple", "not below /app");

        var batch = await _store.CatchUpAsync(known).WaitAsync(Timeout);

        Assert.True(batch.IsProgress, $"expected progress, got {batch}");
        Assert.True(batch.Revision >= sibling);
    }

    [SkippableFact]
    public async Task ConsistentRead_PrefixesLastChangedAtDifferentIndexes_OneReadAtTheNewest()
    {
        // /b changes first, /a last: /b's listing is at an older index than /a's until it is caught up.
        await _store.PutAsync(_root + "/b/x", "b1");
        await _store.PutAsync(_root + "/a/x", "a1");

        var snapshots = await KvConsistentRead.FromStoreAsync(_store, [_root + "/a", _root + "/b"]).WaitAsync(Timeout);

        Assert.Equal(["a1", "b1"], snapshots.Select(s => s.Single().Value));
        Assert.True(snapshots[1].Revision >= snapshots[0].Revision, "the quiet prefix is caught up to the busy one's index");
    }

    [SkippableFact]
    public async Task ConsistentRead_MirrorsOfAQuietAndABusyPrefix_AlignedAtOneIndex()
    {
        await _store.PutAsync(_root + "/quiet/x", "q");
        await using var quiet = new KvMirror(_store, _root + "/quiet");
        await using var busy = new KvMirror(_store, _root + "/busy");
        quiet.Start();
        busy.Start();
        await Task.WhenAll(quiet.WhenSynced, busy.WhenSynced).WaitAsync(Timeout);
        var last = await _store.PutAsync(_root + "/busy/x", "b");
        await busy.WaitForRevisionAsync(last).WaitAsync(Timeout);

        var snapshots = await KvConsistentRead.FromMirrorsAsync([quiet, busy]).WaitAsync(Timeout);

        Assert.Equal(["q", "b"], snapshots.Select(s => s.Single().Value));
        Assert.True(quiet.CatchUpCount >= 1);
    }
}

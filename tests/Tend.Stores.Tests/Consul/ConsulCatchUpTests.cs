using Tend.Core.Kv;
using Tend.Core.Mirror;
using Tend.Stores.Consul;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Stores.Tests.Consul;

/// <summary>Catching a prefix up with the store (for reads of several prefixes at one index), against a real dev agent.</summary>
[Collection(ConsulCollection.Name)]
public sealed class ConsulCatchUpTests(ConsulServer server) : ConsulStoreTest(server, "catchup")
{
    [SkippableFact]
    public async Task CatchUp_QuietPrefixWriteElsewhere_ProgressAtTheKvStoresIndexNotThePrefixs()
    {
        await Store.PutAsync(Root + "/quiet/a", "1");
        var known = await Store.ListAsync(Root + "/quiet");
        var elsewhere = await Store.PutAsync(Root + "/busy/x", "2");

        var batch = await Store.CatchUpAsync(known).WaitAsync(Timeout);

        Assert.True(batch.IsProgress, $"expected progress, got {batch}");
        Assert.True(batch.Revision >= elsewhere, $"progress at {batch.Revision}, the KV store was at {elsewhere} (the prefix at {known.Revision})");
    }

    [SkippableFact]
    public async Task CatchUp_ChangeAfterAProgress_Resync()
    {
        await Store.PutAsync(Root + "/p/a", "1");
        var listed = await Store.ListAsync(Root + "/p");
        await Store.PutAsync(Root + "/elsewhere", "x");
        var progress = await Store.CatchUpAsync(listed);
        var known = KvSnapshot.Create(listed.Prefix, progress.Revision, listed);

        await Store.DeleteAsync(Root + "/p/a");
        var batch = await Store.CatchUpAsync(known).WaitAsync(Timeout);

        Assert.True(batch.IsResync, $"expected a resync, got {batch}");
        Assert.Empty(batch.Resync!);
        Assert.True(batch.Revision > progress.Revision);
    }

    [SkippableFact]
    public async Task CatchUp_KeyBesideThePrefixChanged_StillProgress()
    {
        await Store.PutAsync(Root + "/app/a", "1");
        var known = await Store.ListAsync(Root + "/app");
        var sibling = await Store.PutAsync(Root + "/apple", "not below /app");

        var batch = await Store.CatchUpAsync(known).WaitAsync(Timeout);

        Assert.True(batch.IsProgress, $"expected progress, got {batch}");
        Assert.True(batch.Revision >= sibling);
    }

    [SkippableFact]
    public async Task ConsistentRead_PrefixesLastChangedAtDifferentIndexes_OneReadAtTheNewest()
    {
        // /b changes first, /a last: /b's listing is at an older index than /a's until it is caught up.
        await Store.PutAsync(Root + "/b/x", "b1");
        await Store.PutAsync(Root + "/a/x", "a1");

        var snapshots = await KvConsistentRead.FromStoreAsync(Store, [Root + "/a", Root + "/b"]).WaitAsync(Timeout);

        Assert.Equal(["a1", "b1"], snapshots.Select(s => s.Single().Value));
        Assert.True(snapshots[1].Revision >= snapshots[0].Revision, "the quiet prefix is caught up to the busy one's index");
    }

    [SkippableFact]
    public async Task ConsistentRead_MirrorsOfAQuietAndABusyPrefix_AlignedAtOneIndex()
    {
        await Store.PutAsync(Root + "/quiet/x", "q");
        await using var quiet = new KvMirror(Store, Root + "/quiet");
        await using var busy = new KvMirror(Store, Root + "/busy");
        quiet.Start();
        busy.Start();
        await Task.WhenAll(quiet.WhenSynced, busy.WhenSynced).WaitAsync(Timeout);
        var last = await Store.PutAsync(Root + "/busy/x", "b");
        await busy.WaitForRevisionAsync(last).WaitAsync(Timeout);

        var snapshots = await KvConsistentRead.FromMirrorsAsync([quiet, busy]).WaitAsync(Timeout);

        Assert.Equal(["q", "b"], snapshots.Select(s => s.Single().Value));
        Assert.True(quiet.CatchUpCount >= 1);
    }
}

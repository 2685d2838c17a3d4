using System.Globalization;
using System.Text;
using Tend.Core.Kv;
using Tend.Core.Mirror;
using Tend.Stores.Consul;
using Tend.Testing;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Stores.Tests.Consul;

/// <summary>What the Consul store does beyond the contract, against a real dev agent.</summary>
[Collection(ConsulCollection.Name)]
public sealed class ConsulKvStoreTests(ConsulServer server) : ConsulStoreTest(server, "consul")
{
    [SkippableFact]
    public async Task Put_Value_StoredAsItsRawBytesUnderTheKeyWithoutLeadingSlash()
    {
        const string value = "{\"json\": true}\nsecond line é";
        await Store.PutAsync(Root + "/raw", value);

        using var http = new HttpClient();
        var bytes = await http.GetByteArrayAsync(new Uri($"{Server.HttpUrl}/v1/kv{Root}/raw?raw"));
        Assert.Equal(Encoding.UTF8.GetBytes(value), bytes);
    }

    [SkippableFact]
    public async Task List_KeysThatAreNotPaths_SkippedAndReportedFoldersQuietlySkipped()
    {
        using var http = new HttpClient();
        using var empty = new ByteArrayContent([]);
        (await http.PutAsync(new Uri($"{Server.HttpUrl}/v1/kv{Root}/folder/"), empty)).EnsureSuccessStatusCode();

        // A URL path would be cleaned of the "//"; a transaction names the key in its body.
        using var txn = new StringContent($"[{{\"KV\": {{\"Verb\": \"set\", \"Key\": \"{Root[1..]}/a//b\", \"Value\": \"eA==\"}}}}]");
        (await http.PutAsync(new Uri($"{Server.HttpUrl}/v1/txn"), txn)).EnsureSuccessStatusCode();
        await Store.PutAsync(Root + "/ok", "1");

        var list = await Store.ListAsync(Root);

        Assert.Equal([Root + "/ok"], list.Select(p => p.Key));
        Assert.Equal(1, Store.SkippedKeys.Count);
        Assert.Equal(Root[1..] + "/a//b", Store.SkippedKeys.LastKey);
        Assert.Equal(64, Store.MaxTransactionOperations);
    }

    [SkippableFact]
    public async Task Get_KeyWrittenByAnotherClient_ValueAndModifyIndex()
    {
        using var http = new HttpClient();
        using var body = new ByteArrayContent(Encoding.UTF8.GetBytes("from curl"));
        (await http.PutAsync(new Uri($"{Server.HttpUrl}/v1/kv{Root}/other"), body)).EnsureSuccessStatusCode();

        var pair = await Store.GetAsync(Root + "/other");
        Assert.Equal("from curl", pair!.Value);
        Assert.True(pair.ModRevision > 0);
    }

    [SkippableFact]
    public async Task Put_Revisions_GrowAndMatchTheListingIndex()
    {
        var first = await Store.PutAsync(Root + "/r/a", "1");
        var second = await Store.PutAsync(Root + "/r/b", "2");
        Assert.True(second > first);
        var list = await Store.ListAsync(Root + "/r");
        Assert.Equal(second, list.Revision);
        Assert.Equal([first, second], list.Select(p => p.ModRevision));
    }

    [SkippableFact]
    public async Task Commit_65Operations_RefusedNamingConsulsLimitNothingWritten()
    {
        var ops = Enumerable.Range(0, 65).Select(i => KvOperation.Put($"{Root}/many/{i}", "v")).ToArray();

        var ex = await Assert.ThrowsAsync<KvStoreException>(() => Store.CommitAsync(KvTransaction.Of(ops)));

        Assert.Contains("65", ex.Message, StringComparison.Ordinal);
        Assert.Contains("64", ex.Message, StringComparison.Ordinal);
        Assert.Contains("nothing was applied", ex.Message, StringComparison.Ordinal);
        Assert.Empty(await Store.ListAsync(Root + "/many"));
    }

    [SkippableFact]
    public async Task Commit_64Operations_AllAppliedAtOneIndex()
    {
        var ops = Enumerable.Range(0, 64).Select(i => KvOperation.Put($"{Root}/max/{i:D2}", "v")).ToArray();

        var result = await Store.CommitAsync(KvTransaction.Of(ops));

        Assert.True(result.Succeeded);
        var list = await Store.ListAsync(Root + "/max");
        Assert.Equal(64, list.Count);
        Assert.All(list, p => Assert.Equal(result.Revision, p.ModRevision));
    }

    [SkippableFact]
    public async Task Commit_ModRevisionCompare_CasSemantics()
    {
        var rev = await Store.PutAsync(Root + "/cas", "1");

        var stale = await Store.CommitAsync(new KvTransaction([KvCompare.ModRevisionEquals(Root + "/cas", rev - 1)], [KvOperation.Put(Root + "/cas", "stale")]));
        var fresh = await Store.CommitAsync(new KvTransaction([KvCompare.ModRevisionEquals(Root + "/cas", rev)], [KvOperation.Put(Root + "/cas", "fresh")]));
        var create = await Store.CommitAsync(new KvTransaction([KvCompare.ModRevisionEquals(Root + "/new", 0)], [KvOperation.Put(Root + "/new", "n")]));

        Assert.False(stale.Succeeded);
        Assert.True(fresh.Succeeded);
        Assert.True(create.Succeeded);
        Assert.Equal("fresh", (await Store.GetAsync(Root + "/cas"))!.Value);
    }

    [SkippableFact]
    public async Task Commit_ValueCompareLessThan_EvaluatedOnAReadAndApplied()
    {
        await Store.PutAsync(Root + "/v", "b");

        var less = await Store.CommitAsync(new KvTransaction([new KvCompare(Root + "/v", KvCompareTarget.Value, KvCompareOperator.Less, "c")], [KvOperation.Put(Root + "/w", "1")]));
        var greater = await Store.CommitAsync(new KvTransaction([new KvCompare(Root + "/v", KvCompareTarget.Value, KvCompareOperator.Greater, "c")], [KvOperation.Put(Root + "/w", "2")]));

        Assert.True(less.Succeeded);
        Assert.False(greater.Succeeded);
        Assert.Equal("1", (await Store.GetAsync(Root + "/w"))!.Value);
    }

    [SkippableFact]
    public async Task Commit_DeleteOnly_RevisionCoversTheDelete()
    {
        var put = await Store.PutAsync(Root + "/d", "1");

        var result = await Store.CommitAsync(KvTransaction.Of(KvOperation.Delete(Root + "/d")));

        Assert.True(result.Revision > put);
        Assert.Null(await Store.GetAsync(Root + "/d"));
    }

    [SkippableFact]
    public async Task Watch_WritesByAnotherClient_PutsAndDeletesInOrder()
    {
        await using var other = ConsulTestStores.Create(Server);
        var start = await Store.ListAsync(Root + "/w");
        await using var watch = new WatchReader(Store, Root + "/w", start.Revision + 1, Timeout);
        await watch.ReadyAsync();

        await other.PutAsync(Root + "/w/a", "1");
        var first = await watch.TakeChangesAsync(1);
        await other.PutAsync(Root + "/w/b", "2");
        await other.DeleteAsync(Root + "/w/a");
        var next = await watch.TakeChangesAsync(2);

        Assert.Equal([(KvChangeKind.Put, Root + "/w/a", "1")], first.Select(c => (c.Kind, c.Key, c.Value)));
        Assert.Equal([(KvChangeKind.Put, Root + "/w/b"), (KvChangeKind.Delete, Root + "/w/a")], next.Select(c => (c.Kind, c.Key)));
        Assert.True(next[1].Revision > next[0].Revision);
    }

    [SkippableFact]
    public async Task Watch_SeveralWatchesBelowOneWatchedPrefix_ShareOneBlockingQuery()
    {
        await Store.PutAsync(Root + "/s/a/x", "1");
        var start = await Store.ListAsync(Root + "/s");
        await using var outer = new WatchReader(Store, Root + "/s", start.Revision + 1, Timeout);
        await outer.ReadyAsync();
        await WaitUntilAsync(() => Store.Hub.TrackerCount == 1);
        await using var inner = new WatchReader(Store, Root + "/s/a", start.Revision + 1, Timeout);
        await inner.ReadyAsync();

        await Store.PutAsync(Root + "/s/a/y", "2");
        await Store.PutAsync(Root + "/s/b", "3");

        Assert.Equal([Root + "/s/a/y", Root + "/s/b"], (await outer.TakeChangesAsync(2)).Select(c => c.Key));
        Assert.Equal([Root + "/s/a/y"], (await inner.TakeChangesAsync(1)).Select(c => c.Key));
        Assert.Equal(1, Store.Hub.TrackerCount);
    }

    [SkippableFact]
    public async Task Watch_NothingChangesForTheWait_ProgressNotification()
    {
        await using var quick = ConsulTestStores.Create(Server, ConsulTestStores.Settings with { BlockingWait = TimeSpan.FromSeconds(1) });
        var start = await quick.ListAsync(Root + "/quiet");
        await using var watch = new WatchReader(quick, Root + "/quiet", start.Revision + 1, Timeout);

        var batch = await watch.NextBatchAsync(b => b.IsProgress);

        Assert.Equal(start.Revision, batch.Revision);
    }

    [SkippableFact]
    public async Task Mirror_ManyWritersOneWatcher_EqualsStore()
    {
        await using var other = ConsulTestStores.Create(Server);
        await using var mirror = new KvMirror(Store, Root + "/m");
        mirror.Start();
        await mirror.WhenSynced.WaitAsync(Timeout);
        var tasks = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (int i = 0; i < 25; i++)
            {
                var store = w % 2 == 0 ? Store : other;
                var key = $"{Root}/m/{(w * 7 + i) % 10}";
                if (i % 5 == 4)
                {
                    await store.DeleteAsync(key);
                }
                else
                {
                    await store.PutAsync(key, $"{w}-{i}");
                }
            }
        }));
        await Task.WhenAll(tasks);

        var truth = await Store.ListAsync(Root + "/m");
        await WaitUntilAsync(() => mirror.Current.ContentEquals(truth));
        Assert.Equal(truth.Select(p => (p.Key, p.Value)), mirror.Current.Select(p => (p.Key, p.Value)));
    }

    [SkippableFact]
    public async Task Endpoints_FirstDead_FailsOverToTheLiveOne()
    {
        await using var store = ConsulTestStores.Create(Server, configure: o => o with { Endpoints = [$"http://127.0.0.1:{FreePort.Next()}", Server.HttpUrl] });

        await store.PutAsync(Root + "/fo", "1");

        Assert.Equal("1", (await store.GetAsync(Root + "/fo"))!.Value);
    }

    [SkippableFact]
    public async Task Endpoints_NoneGiven_ConsulHttpAddrUsed()
    {
        await using var store = new ConsulKvStore(
            new KvStoreOptions { Kind = KvStoreKinds.Consul },
            ConsulTestStores.Settings,
            null,
            null,
            null,
            name => name == "CONSUL_HTTP_ADDR" ? Server.HttpAddress : null);

        await store.PutAsync(Root + "/env", "1");

        Assert.Contains(Server.HttpAddress, store.Name, StringComparison.Ordinal);
        Assert.Equal("1", (await store.GetAsync(Root + "/env"))!.Value);
    }

    [SkippableFact]
    public async Task Get_UnknownDatacenter_ErrorNamesIt()
    {
        await using var store = ConsulTestStores.Create(Server, configure: o => o with { Datacenter = "nowhere" });

        var ex = await Assert.ThrowsAnyAsync<KvStoreException>(() => store.GetAsync(Root + "/x"));

        Assert.Contains("datacenter", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [SkippableFact]
    public async Task List_ConsistencyModes_SameAnswer()
    {
        await Store.PutAsync(Root + "/c", "1");
        foreach (var mode in new[] { "consistent", "stale" })
        {
            await using var store = ConsulTestStores.Create(Server, configure: o => o with { Consistency = mode });
            Assert.Equal("1", (await store.ListAsync(Root)).Single().Value);
        }
    }

    [SkippableFact]
    public async Task Register_KeyDeletedByAnotherClient_ReCreatedAtOnce()
    {
        await using var other = ConsulTestStores.Create(Server);
        var key = Root + "/reg/host:80";
        await using var registration = await Store.RegisterAsync(key, "{}", TimeSpan.FromSeconds(10));

        await other.DeleteAsync(key);

        await WaitUntilAsync(async () => await other.GetAsync(key) is not null && registration.State == KvRegistrationState.Registered);
    }

    [SkippableFact]
    public async Task Register_SessionDestroyedByAnotherClient_NewSessionTakesTheKey()
    {
        var key = Root + "/reg2/host:80";
        await using var registration = await Store.RegisterAsync(key, "v", TimeSpan.FromSeconds(10));
        var session = (await RawEntryAsync(key))!.Value.Session!;

        using var http = new HttpClient();
        (await http.PutAsync(new Uri($"{Server.HttpUrl}/v1/session/destroy/{session}"), null)).EnsureSuccessStatusCode();

        // The key goes with the session (Behavior=delete) and comes back under a new one.
        await WaitUntilAsync(async () => (await RawEntryAsync(key))?.Session is { } s && s != session, TimeSpan.FromSeconds(30));
    }

    [SkippableFact]
    public async Task Register_EarlierSessionOfSameNameStillHoldsKey_TakenOver()
    {
        // What a killed process leaves behind: its session (same name, same node) holding the key until the TTL.
        var key = Root + "/reg3/host:80";
        var stale = await LockWithNewSessionAsync(key, "tend:" + key, "\"LockDelay\": \"0s\", ");

        await using var registration = await Store.RegisterAsync(key, "new", TimeSpan.FromSeconds(10));

        var entry = (await RawEntryAsync(key))!.Value;
        Assert.Equal("new", entry.Value);
        Assert.NotEqual(stale, entry.Session);
    }

    [SkippableFact]
    public async Task Register_KeyHeldByAForeignSession_RefusedNamingTheHolder()
    {
        var key = Root + "/reg4/host:80";
        var foreign = await LockWithNewSessionAsync(key, "someone-else");

        var ex = await Assert.ThrowsAsync<KvStoreException>(() => Store.RegisterAsync(key, "mine", TimeSpan.FromSeconds(10)));

        Assert.Contains(foreign, ex.Message, StringComparison.Ordinal);
        Assert.Equal("held", (await Store.GetAsync(key))!.Value);
    }

    private async Task<string> LockWithNewSessionAsync(string key, string name, string extra = "")
    {
        using var http = new HttpClient();
        using var create = new StringContent($"{{\"Name\": \"{name}\", {extra}\"TTL\": \"60s\", \"Behavior\": \"delete\"}}");
        var created = await (await http.PutAsync(new Uri($"{Server.HttpUrl}/v1/session/create"), create)).Content.ReadAsStringAsync();
        var session = System.Text.Json.JsonDocument.Parse(created).RootElement.GetProperty("ID").GetString()!;
        using var value = new StringContent("held");
        var locked = await (await http.PutAsync(new Uri($"{Server.HttpUrl}/v1/kv{key}?acquire={session}"), value)).Content.ReadAsStringAsync();
        Assert.Equal("true", locked.Trim());
        return session;
    }

    private async Task<Tend.Stores.Consul.Wire.RawEntry?> RawEntryAsync(string key) => await Store.ReadKeyAsync(key, CancellationToken.None);

    private static Task WaitUntilAsync(Func<bool> condition, TimeSpan? timeout = null) => Poll.UntilAsync(condition, timeout ?? Timeout);

    private static Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan? timeout = null) => Poll.UntilAsync(condition, timeout ?? Timeout);
}

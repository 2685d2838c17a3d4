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
public sealed class ConsulKvStoreTests(ConsulServer server) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private readonly string _root = "/consul/t" + Guid.NewGuid().ToString("N")[..10];
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
    public async Task Put_Value_StoredAsItsRawBytesUnderTheKeyWithoutLeadingSlash()
    {
        const string value = "{\"json\": true}\nsecond line é";
        await _store.PutAsync(_root + "/raw", value);

        using var http = new HttpClient();
        var bytes = await http.GetByteArrayAsync(new Uri($"{server.HttpUrl}/v1/kv{_root}/raw?raw"));
        Assert.Equal(Encoding.UTF8.GetBytes(value), bytes);
    }

    [SkippableFact]
    public async Task List_KeysThatAreNotPaths_SkippedAndReportedFoldersQuietlySkipped()
    {
        using var http = new HttpClient();
        using var empty = new ByteArrayContent([]);
        (await http.PutAsync(new Uri($"{server.HttpUrl}/v1/kv{_root}/folder/"), empty)).EnsureSuccessStatusCode();

        // A URL path would be cleaned of the "//"; a transaction names the key in its body.
        using var txn = new StringContent($"[{{\"KV\": {{\"Verb\": \"set\", \"Key\": \"{_root[1..]}/a//b\", \"Value\": \"eA==\"}}}}]");
        (await http.PutAsync(new Uri($"{server.HttpUrl}/v1/txn"), txn)).EnsureSuccessStatusCode();
        await _store.PutAsync(_root + "/ok", "1");

        var list = await _store.ListAsync(_root);

        Assert.Equal([_root + "/ok"], list.Select(p => p.Key));
        Assert.Equal(1, _store.SkippedKeys.Count);
        Assert.Equal(_root[1..] + "/a//b", _store.SkippedKeys.LastKey);
        Assert.Equal(64, _store.MaxTransactionOperations);
    }

    [SkippableFact]
    public async Task Get_KeyWrittenByAnotherClient_ValueAndModifyIndex()
    {
        using var http = new HttpClient();
        using var body = new ByteArrayContent(Encoding.UTF8.GetBytes("from curl"));
        (await http.PutAsync(new Uri($"{server.HttpUrl}/v1/kv{_root}/other"), body)).EnsureSuccessStatusCode();

        var pair = await _store.GetAsync(_root + "/other");
        Assert.Equal("from curl", pair!.Value);
        Assert.True(pair.ModRevision > 0);
    }

    [SkippableFact]
    public async Task Put_Revisions_GrowAndMatchTheListingIndex()
    {
        var first = await _store.PutAsync(_root + "/r/a", "1");
        var second = await _store.PutAsync(_root + "/r/b", "2");
        Assert.True(second > first);
        var list = await _store.ListAsync(_root + "/r");
        Assert.Equal(second, list.Revision);
        Assert.Equal([first, second], list.Select(p => p.ModRevision));
    }

    [SkippableFact]
    public async Task Commit_65Operations_RefusedNamingConsulsLimitNothingWritten()
    {
        var ops = Enumerable.Range(0, 65).Select(i => KvOperation.Put($"{_root}/many/{i}", "v")).ToArray();

        var ex = await Assert.ThrowsAsync<KvStoreException>(() => _store.CommitAsync(KvTransaction.Of(ops)));

        Assert.Contains("65", ex.Message, StringComparison.Ordinal);
        Assert.Contains("64", ex.Message, StringComparison.Ordinal);
        Assert.Contains("nothing was applied", ex.Message, StringComparison.Ordinal);
        Assert.Empty(await _store.ListAsync(_root + "/many"));
    }

    [SkippableFact]
    public async Task Commit_64Operations_AllAppliedAtOneIndex()
    {
        var ops = Enumerable.Range(0, 64).Select(i => KvOperation.Put($"{_root}/max/{i:D2}", "v")).ToArray();

        var result = await _store.CommitAsync(KvTransaction.Of(ops));

        Assert.True(result.Succeeded);
        var list = await _store.ListAsync(_root + "/max");
        Assert.Equal(64, list.Count);
        Assert.All(list, p => Assert.Equal(result.Revision, p.ModRevision));
    }

    [SkippableFact]
    public async Task Commit_ModRevisionCompare_CasSemantics()
    {
        var rev = await _store.PutAsync(_root + "/cas", "1");

        var stale = await _store.CommitAsync(new KvTransaction([KvCompare.ModRevisionEquals(_root + "/cas", rev - 1)], [KvOperation.Put(_root + "/cas", "stale")]));
        var fresh = await _store.CommitAsync(new KvTransaction([KvCompare.ModRevisionEquals(_root + "/cas", rev)], [KvOperation.Put(_root + "/cas", "fresh")]));
        var create = await _store.CommitAsync(new KvTransaction([KvCompare.ModRevisionEquals(_root + "/new", 0)], [KvOperation.Put(_root + "/new", "n")]));

        Assert.False(stale.Succeeded);
        Assert.True(fresh.Succeeded);
        Assert.True(create.Succeeded);
        Assert.Equal("fresh", (await _store.GetAsync(_root + "/cas"))!.Value);
    }

    [SkippableFact]
    public async Task Commit_ValueCompareLessThan_EvaluatedOnAReadAndApplied()
    {
        await _store.PutAsync(_root + "/v", "b");

        var less = await _store.CommitAsync(new KvTransaction([new KvCompare(_root + "/v", KvCompareTarget.Value, KvCompareOperator.Less, "c")], [KvOperation.Put(_root + "/w", "1")]));
        var greater = await _store.CommitAsync(new KvTransaction([new KvCompare(_root + "/v", KvCompareTarget.Value, KvCompareOperator.Greater, "c")], [KvOperation.Put(_root + "/w", "2")]));

        Assert.True(less.Succeeded);
        Assert.False(greater.Succeeded);
        Assert.Equal("1", (await _store.GetAsync(_root + "/w"))!.Value);
    }

    [SkippableFact]
    public async Task Commit_DeleteOnly_RevisionCoversTheDelete()
    {
        var put = await _store.PutAsync(_root + "/d", "1");

        var result = await _store.CommitAsync(KvTransaction.Of(KvOperation.Delete(_root + "/d")));

        Assert.True(result.Revision > put);
        Assert.Null(await _store.GetAsync(_root + "/d"));
    }

    [SkippableFact]
    public async Task Watch_WritesByAnotherClient_PutsAndDeletesInOrder()
    {
        await using var other = ConsulTestStores.Create(server);
        var start = await _store.ListAsync(_root + "/w");
        await using var watch = new WatchReader(_store, _root + "/w", start.Revision + 1, Timeout);
        await watch.ReadyAsync();

        await other.PutAsync(_root + "/w/a", "1");
        var first = await watch.TakeChangesAsync(1);
        await other.PutAsync(_root + "/w/b", "2");
        await other.DeleteAsync(_root + "/w/a");
        var next = await watch.TakeChangesAsync(2);

        Assert.Equal([(KvChangeKind.Put, _root + "/w/a", "1")], first.Select(c => (c.Kind, c.Key, c.Value)));
        Assert.Equal([(KvChangeKind.Put, _root + "/w/b"), (KvChangeKind.Delete, _root + "/w/a")], next.Select(c => (c.Kind, c.Key)));
        Assert.True(next[1].Revision > next[0].Revision);
    }

    [SkippableFact]
    public async Task Watch_SeveralWatchesBelowOneWatchedPrefix_ShareOneBlockingQuery()
    {
        await _store.PutAsync(_root + "/s/a/x", "1");
        var start = await _store.ListAsync(_root + "/s");
        await using var outer = new WatchReader(_store, _root + "/s", start.Revision + 1, Timeout);
        await outer.ReadyAsync();
        await WaitUntilAsync(() => _store.Hub.TrackerCount == 1);
        await using var inner = new WatchReader(_store, _root + "/s/a", start.Revision + 1, Timeout);
        await inner.ReadyAsync();

        await _store.PutAsync(_root + "/s/a/y", "2");
        await _store.PutAsync(_root + "/s/b", "3");

        Assert.Equal([_root + "/s/a/y", _root + "/s/b"], (await outer.TakeChangesAsync(2)).Select(c => c.Key));
        Assert.Equal([_root + "/s/a/y"], (await inner.TakeChangesAsync(1)).Select(c => c.Key));
        Assert.Equal(1, _store.Hub.TrackerCount);
    }

    [SkippableFact]
    public async Task Watch_NothingChangesForTheWait_ProgressNotification()
    {
        await using var quick = ConsulTestStores.Create(server, ConsulTestStores.Settings with { BlockingWait = TimeSpan.FromSeconds(1) });
        var start = await quick.ListAsync(_root + "/quiet");
        await using var watch = new WatchReader(quick, _root + "/quiet", start.Revision + 1, Timeout);

        var batch = await watch.NextBatchAsync(b => b.IsProgress);

        Assert.Equal(start.Revision, batch.Revision);
    }

    [SkippableFact]
    public async Task Mirror_ManyWritersOneWatcher_EqualsStore()
    {
        await using var other = ConsulTestStores.Create(server);
        await using var mirror = new KvMirror(_store, _root + "/m");
        mirror.Start();
        await mirror.WhenSynced.WaitAsync(Timeout);
        var tasks = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (int i = 0; i < 25; i++)
            {
                var store = w % 2 == 0 ? _store : other;
                var key = $"{_root}/m/{(w * 7 + i) % 10}";
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

        var truth = await _store.ListAsync(_root + "/m");
        await WaitUntilAsync(() => mirror.Current.ContentEquals(truth));
        Assert.Equal(truth.Select(p => (p.Key, p.Value)), mirror.Current.Select(p => (p.Key, p.Value)));
    }

    [SkippableFact]
    public async Task Endpoints_FirstDead_FailsOverToTheLiveOne()
    {
        await using var store = ConsulTestStores.Create(server, configure: o => o with { Endpoints = [$"http://127.0.0.1:{FreePort.Next()}", server.HttpUrl] });

        await store.PutAsync(_root + "/fo", "1");

        Assert.Equal("1", (await store.GetAsync(_root + "/fo"))!.Value);
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
            name => name == "CONSUL_HTTP_ADDR" ? server.HttpAddress : null);

        await store.PutAsync(_root + "/env", "1");

        Assert.Contains(server.HttpAddress, store.Name, StringComparison.Ordinal);
        Assert.Equal("1", (await store.GetAsync(_root + "/env"))!.Value);
    }

    [SkippableFact]
    public async Task Get_UnknownDatacenter_ErrorNamesIt()
    {
        await using var store = ConsulTestStores.Create(server, configure: o => o with { Datacenter = "nowhere" });

        var ex = await Assert.ThrowsAnyAsync<KvStoreException>(() => store.GetAsync(_root + "/x"));

        Assert.Contains("datacenter", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [SkippableFact]
    public async Task List_ConsistencyModes_SameAnswer()
    {
        await _store.PutAsync(_root + "/c", "1");
        foreach (var mode in new[] { "consistent", "stale" })
        {
            await using var store = ConsulTestStores.Create(server, configure: o => o with { Consistency = mode });
            Assert.Equal("1", (await store.ListAsync(_root)).Single().Value);
        }
    }

    [SkippableFact]
    public async Task Register_KeyDeletedByAnotherClient_ReCreatedAtOnce()
    {
        await using var other = ConsulTestStores.Create(server);
        var key = _root + "/reg/host:80";
        await using var registration = await _store.RegisterAsync(key, "{}", TimeSpan.FromSeconds(10));

        await other.DeleteAsync(key);

        await WaitUntilAsync(async () => await other.GetAsync(key) is not null && registration.State == KvRegistrationState.Registered);
    }

    [SkippableFact]
    public async Task Register_SessionDestroyedByAnotherClient_NewSessionTakesTheKey()
    {
        var key = _root + "/reg2/host:80";
        await using var registration = await _store.RegisterAsync(key, "v", TimeSpan.FromSeconds(10));
        var session = (await RawEntryAsync(key))!.Value.Session!;

        using var http = new HttpClient();
        (await http.PutAsync(new Uri($"{server.HttpUrl}/v1/session/destroy/{session}"), null)).EnsureSuccessStatusCode();

        // The key goes with the session (Behavior=delete) and comes back under a new one.
        await WaitUntilAsync(async () => (await RawEntryAsync(key))?.Session is { } s && s != session, TimeSpan.FromSeconds(30));
    }

    [SkippableFact]
    public async Task Register_EarlierSessionOfSameNameStillHoldsKey_TakenOver()
    {
        // What a killed process leaves behind: its session (same name, same node) holding the key until the TTL.
        var key = _root + "/reg3/host:80";
        var stale = await LockWithNewSessionAsync(key, "tend:" + key, "\"LockDelay\": \"0s\", ");

        await using var registration = await _store.RegisterAsync(key, "new", TimeSpan.FromSeconds(10));

        var entry = (await RawEntryAsync(key))!.Value;
        Assert.Equal("new", entry.Value);
        Assert.NotEqual(stale, entry.Session);
    }

    [SkippableFact]
    public async Task Register_KeyHeldByAForeignSession_RefusedNamingTheHolder()
    {
        var key = _root + "/reg4/host:80";
        var foreign = await LockWithNewSessionAsync(key, "someone-else");

        var ex = await Assert.ThrowsAsync<KvStoreException>(() => _store.RegisterAsync(key, "mine", TimeSpan.FromSeconds(10)));

        Assert.Contains(foreign, ex.Message, StringComparison.Ordinal);
        Assert.Equal("held", (await _store.GetAsync(key))!.Value);
    }

    private async Task<string> LockWithNewSessionAsync(string key, string name, string extra = "")
    {
        using var http = new HttpClient();
        using var create = new StringContent($"{{\"Name\": \"{name}\", {extra}\"TTL\": \"60s\", \"Behavior\": \"delete\"}}");
        var created = await (await http.PutAsync(new Uri($"{server.HttpUrl}/v1/session/create"), create)).Content.ReadAsStringAsync();
        var session = System.Text.Json.JsonDocument.Parse(created).RootElement.GetProperty("ID").GetString()!;
        using var value = new StringContent("held");
        var locked = await (await http.PutAsync(new Uri($"{server.HttpUrl}/v1/kv{key}?acquire={session}"), value)).Content.ReadAsStringAsync();
        Assert.Equal("true", locked.Trim());
        return session;
    }

    private async Task<Tend.Stores.Consul.Wire.RawEntry?> RawEntryAsync(string key) => await _store.ReadKeyAsync(key, CancellationToken.None);

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Timeout);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(20);
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Timeout);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(50);
        }
    }
}

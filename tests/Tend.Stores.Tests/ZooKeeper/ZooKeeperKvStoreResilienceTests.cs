using Tend.Core.Kv;
using Tend.Core.Mirror;
using Tend.Stores.ZooKeeper;
using Tend.Testing;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Stores.Tests.ZooKeeper;

/// <summary>Session expiry, foreign deletes and credentials, against the standalone server.</summary>
[Collection(ZooKeeperServerCollection.Name)]
public sealed class ZooKeeperKvStoreResilienceTests(ZooKeeperServerFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly string _root = "/resilience/t" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task Register_SessionExpires_EphemeralRecreatedAndWatcherResynced()
    {
        await using var owner = NewStore();
        await using var observer = NewStore();
        var key = _root + "/svc/host:80";
        var registration = await owner.RegisterAsync(key, "up", TimeSpan.FromSeconds(6));
        long firstSession = owner.Client.SessionId;

        var start = await owner.ListAsync(_root);
        await using var ownWatch = new WatchReader(owner, _root, start.Revision + 1, Timeout);
        await ownWatch.ReadyAsync();
        var seen = await observer.ListAsync(_root);
        await using var observerWatch = new WatchReader(observer, _root, seen.Revision + 1, Timeout);
        await observerWatch.ReadyAsync();

        await SessionExpiry.ExpireAsync(owner.Client);

        // The owner's own watch lost its session: it must resync, and the entry must be back.
        var resync = await ownWatch.NextBatchAsync(b => b.IsResync);
        Assert.NotNull(resync.Resync);
        await WaitUntilAsync(async () => registration.State == KvRegistrationState.Registered && (await observer.GetAsync(key))?.Value == "up");
        Assert.NotEqual(firstSession, owner.Client.SessionId);
        var stat = await owner.Client.ExistsAsync(key);
        Assert.Equal(owner.Client.SessionId, stat!.EphemeralOwner);

        // The observer's session lived on: it sees the delete (session gone) and the re-create, in order.
        // (Meanwhile the emptied parent /svc is briefly listed as an empty leaf: see ZooKeeperKvStore.)
        var changes = new List<KvChange>();
        while (!changes.Any(c => c.Key == key && c.Kind == KvChangeKind.Put))
        {
            changes.AddRange(await observerWatch.TakeChangesAsync(1));
        }

        var mine = changes.Where(c => c.Key == key).ToList();
        Assert.Equal([KvChangeKind.Delete, KvChangeKind.Put], mine.Select(c => c.Kind));
        Assert.True(mine[1].Revision > mine[0].Revision);
        await registration.DisposeAsync();
    }

    [Fact]
    public async Task Register_DeletedBySomeoneElse_Recreated()
    {
        await using var owner = NewStore();
        await using var other = NewStore();
        var key = _root + "/svc/db";
        var registration = await owner.RegisterAsync(key, "primary", TimeSpan.FromSeconds(6));
        await other.DeleteAsync(key);

        // The node is visible as soon as the create lands; the handle marks itself registered
        // right after, so wait for both instead of reading the handle in between.
        await WaitUntilAsync(async () => (await other.GetAsync(key))?.Value == "primary" && registration.State == KvRegistrationState.Registered);
        Assert.Equal(KvRegistrationState.Registered, registration.State);

        await registration.DisposeAsync();
        Assert.Null(await other.GetAsync(key));
    }

    [Fact]
    public async Task Mirror_SessionExpiresWhileOthersWrite_ConvergesToTruth()
    {
        await using var watcher = NewStore();
        await using var writer = NewStore();
        await writer.PutAsync(_root + "/m/a", "1");
        await using var mirror = new KvMirror(watcher, _root);
        mirror.Start();
        await mirror.WhenSynced.WaitAsync(Timeout);

        var expiry = SessionExpiry.ExpireAsync(watcher.Client);
        for (int i = 0; i < 20; i++)
        {
            await writer.PutAsync($"{_root}/m/{i % 6}", "v" + i);
        }

        await writer.DeleteAsync(_root + "/m/a");
        await expiry;
        long last = await writer.PutAsync(_root + "/m/last", "done");

        await mirror.WaitForRevisionAsync(last).WaitAsync(Timeout);
        var truth = await writer.ListAsync(_root);
        Assert.Equal(truth.Select(p => (p.Key, p.Value)), mirror.Current.Select(p => (p.Key, p.Value)));
    }

    [Fact]
    public async Task Put_WrongDigestPassword_KvAuthenticationException()
    {
        await using var alice = NewStore("alice", "right");
        await alice.PutAsync(_root + "/acl/k", "v");
        await using var impostor = NewStore("alice", "wrong");

        // World-read ACL: reading is fine; writing is refused with a clear, typed error.
        Assert.Equal("v", (await impostor.GetAsync(_root + "/acl/k"))!.Value);
        var ex = await Assert.ThrowsAsync<KvAuthenticationException>(() => impostor.PutAsync(_root + "/acl/k", "stolen"));
        Assert.Contains("permission denied", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<KvAuthenticationException>(() => impostor.DeleteAsync(_root + "/acl", prefix: true));
        Assert.Equal("v", (await alice.GetAsync(_root + "/acl/k"))!.Value);
    }

    [Fact]
    public async Task Delete_KeyWithChildren_UnlistedButChildrenKept()
    {
        await using var store = NewStore();
        await store.PutAsync(_root + "/p", "parent");
        await store.PutAsync(_root + "/p/c", "child");
        Assert.Equal(1, await store.DeleteAsync(_root + "/p"));
        Assert.Null(await store.GetAsync(_root + "/p"));
        Assert.Equal([_root + "/p/c"], (await store.ListAsync(_root)).Select(p => p.Key));
    }

    [Fact]
    public async Task Mirror_ChildCreatedUnderEmptyLeaf_ParentUnlistedChildListedInOneBatch()
    {
        await using var store = NewStore();
        await store.PutAsync(_root + "/x", string.Empty);
        await using var mirror = new KvMirror(store, _root);
        mirror.Start();
        await mirror.WhenSynced.WaitAsync(Timeout);
        Assert.Equal([_root + "/x"], mirror.Current.Select(p => p.Key));

        // One zxid, two changes: the parent stops being a key as the child appears.
        long rev = await store.PutAsync(_root + "/x/y", "child");
        await mirror.WaitForRevisionAsync(rev).WaitAsync(Timeout);
        Assert.Equal([(_root + "/x/y", "child")], mirror.Current.Select(p => (p.Key, p.Value)));
    }

    private ZooKeeperKvStore NewStore(string? user = null, string? password = null) =>
        new(new KvStoreOptions { Kind = "zookeeper", Endpoints = [fixture.Server.EndPoint], Username = user, Password = password, SessionTimeout = TimeSpan.FromSeconds(6) });

    private static Task WaitUntilAsync(Func<Task<bool>> condition) => Poll.UntilAsync(condition, Timeout);
}

using System.Globalization;
using Tend.Core.Kv;
using Tend.Stores.Dns;
using Tend.Stores.Etcd;
using Tend.Testing;
using Tend.Testing.Dns;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Stores.Tests.Etcd;

[Collection(EtcdCollection.Name)]
public class EtcdKvStoreTests(EtcdServer server) : IAsyncLifetime
{
    /// <summary>The settings every store of the class is created with (the transport, for the subclasses).</summary>
    protected virtual EtcdStoreSettings Settings => EtcdTestStores.FastSettings;

    private readonly string _root = "/etcd/t" + Guid.NewGuid().ToString("N")[..10];
    private EtcdKvStore _store = null!;

    public Task InitializeAsync()
    {
        _store = EtcdTestStores.Create(server.ClientUrl, Settings);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task Name_PasswordInTheEndpointUrl_NeverShownAndTheStoreStillWorks()
    {
        await using var store = EtcdTestStores.Create(server.ClientUrl.Replace("://", "://ops:s3cret@", StringComparison.Ordinal), Settings);
        await store.PutAsync(_root + "/u", "1");

        Assert.Equal("1", (await store.GetAsync(_root + "/u"))!.Value);
        Assert.Contains("ops:***@", store.Name, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", store.Name, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_UnreachableEndpointWithPasswordInUrl_ErrorNeverShowsThePassword()
    {
        await using var store = EtcdTestStores.Create($"http://ops:s3cret@127.0.0.1:{FreePort.Next()}", Settings);

        var error = await Assert.ThrowsAnyAsync<KvStoreException>(() => store.GetAsync(_root + "/u"));

        Assert.DoesNotContain("s3cret", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_MoreKeysThanOnePage_ReturnsEveryKeyOnce()
    {
        await using var paged = EtcdTestStores.Create(server.ClientUrl, Settings with { PageSize = 7 });
        for (int i = 0; i < 50; i++)
        {
            await _store.PutAsync($"{_root}/k/{i:D3}", i.ToString(CultureInfo.InvariantCulture));
        }

        await _store.PutAsync(_root + "/k", "self");
        await _store.PutAsync(_root + "/k-sibling", "no");
        var last = await _store.PutAsync(_root + "/k0", "no");

        var list = await paged.ListAsync(_root + "/k");
        Assert.Equal(51, list.Count);
        Assert.Equal(_root + "/k", list[0].Key);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"{_root}/k/{i:D3}"), list.Skip(1).Select(p => p.Key));
        Assert.True(list.Revision >= last);
    }

    [Fact]
    public async Task List_SerializableReads_SeeWrites()
    {
        await using var serializable = EtcdTestStores.Create(server.ClientUrl, Settings with { SerializableReads = true });
        await _store.PutAsync(_root + "/s", "1");
        var pair = await serializable.GetAsync(_root + "/s");
        Assert.Equal("1", pair!.Value);
        Assert.Single(await serializable.ListAsync(_root));
    }

    [Fact]
    public async Task Commit_MoreOperationsThanServerAllows_ThrowsNamingLimitAndAppliesNothing()
    {
        var ops = Enumerable.Range(0, 200).Select(i => KvOperation.Put($"{_root}/big/{i}", "x")).ToArray();
        var ex = await Assert.ThrowsAsync<KvStoreException>(() => _store.CommitAsync(KvTransaction.Of(ops)));
        Assert.Contains("max-txn-ops", ex.Message, StringComparison.Ordinal);
        Assert.Contains("200", ex.Message, StringComparison.Ordinal);
        Assert.Empty(await _store.ListAsync(_root + "/big"));
    }

    [Fact]
    public async Task Commit_MoreComparesThanServerAllows_MessageCountsTheComparesAndNamesTheSetting()
    {
        var compares = Enumerable.Range(0, 200).Select(i => KvCompare.Missing($"{_root}/c/{i}")).ToArray();
        var ex = await Assert.ThrowsAsync<KvStoreException>(() => _store.CommitAsync(new KvTransaction(compares, [KvOperation.Put($"{_root}/c/x", "1")])));
        Assert.Contains("200 compares and 1 etcd operations", ex.Message, StringComparison.Ordinal);
        Assert.Contains("max_txn_ops = 128", ex.Message, StringComparison.Ordinal);
        Assert.Null(await _store.GetAsync($"{_root}/c/x"));
    }

    [Fact]
    public async Task MaxTransactionOperations_DefaultAndConfigured_TheServersDefaultOrTheSetting()
    {
        Assert.Equal(128, _store.MaxTransactionOperations);
        await using var raised = EtcdTestStores.Create(server.ClientUrl, Settings, o => o with { MaxTransactionOperations = 1000 });
        Assert.Equal(1000, raised.MaxTransactionOperations);
    }

    [Fact]
    public async Task Commit_DeletePrefixThenPutBelowIt_KeepsOnlyThePut()
    {
        await _store.PutAsync(_root + "/r", "0");
        await _store.PutAsync(_root + "/r/a", "1");
        await _store.PutAsync(_root + "/r/b", "2");
        await _store.PutAsync(_root + "/r/c", "3");
        var result = await _store.CommitAsync(KvTransaction.Of(KvOperation.DeletePrefix(_root + "/r"), KvOperation.Put(_root + "/r/b", "new")));
        Assert.True(result.Succeeded);
        Assert.Equal([(_root + "/r/b", "new")], (await _store.ListAsync(_root)).Select(p => (p.Key, p.Value)));
    }

    [Fact]
    public async Task Commit_PutThenDeleteSameKey_KeyAbsent()
    {
        var result = await _store.CommitAsync(KvTransaction.Of(KvOperation.Put(_root + "/x", "1"), KvOperation.Put(_root + "/x/y", "1"), KvOperation.DeletePrefix(_root + "/x")));
        Assert.True(result.Succeeded);
        Assert.Empty(await _store.ListAsync(_root));
    }

    [Fact]
    public async Task Commit_CompareOnVersionCreateAndModRevision_EvaluatedByServer()
    {
        var rev = await _store.PutAsync(_root + "/c", "v1");
        await _store.PutAsync(_root + "/c", "v2");
        var key = _root + "/c";

        var ok = await _store.CommitAsync(new KvTransaction(
            [new KvCompare(key, KvCompareTarget.Version, KvCompareOperator.Equal, Number: 2), new KvCompare(key, KvCompareTarget.CreateRevision, KvCompareOperator.Equal, Number: rev), new KvCompare(key, KvCompareTarget.ModRevision, KvCompareOperator.Greater, Number: rev)],
            [KvOperation.Put(key, "v3")]));
        Assert.True(ok.Succeeded);

        var stale = await _store.CommitAsync(new KvTransaction([KvCompare.ModRevisionEquals(key, rev)], [KvOperation.Put(key, "lost")]));
        Assert.False(stale.Succeeded);
        Assert.True(stale.Revision >= ok.Revision);
        Assert.Equal("v3", (await _store.GetAsync(key))!.Value);
    }

    [Fact]
    public async Task Watch_FromZero_DeliversOnlyLaterChangesWithPreviousValues()
    {
        var before = await _store.PutAsync(_root + "/w", "before");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var watch = _store.WatchAsync(_root, 0, cts.Token).GetAsyncEnumerator(cts.Token);
        var changes = new List<KvChange>();

        // "From now" is fixed when the server creates the watch, which the client cannot see: write pings
        // until one arrives, then make the changes under test.
        var next = watch.MoveNextAsync().AsTask();
        for (int i = 0; !next.IsCompleted; i++)
        {
            await _store.PutAsync(_root + "/ping", i.ToString(CultureInfo.InvariantCulture));
            await Task.WhenAny(next, Task.Delay(100, cts.Token));
        }

        Assert.True(await next);
        changes.AddRange(watch.Current.Changes);
        await _store.PutAsync(_root + "/w", "after");
        await _store.DeleteAsync(_root + "/w");
        while (changes.Count(c => c.Key == _root + "/w") < 2)
        {
            Assert.True(await watch.MoveNextAsync());
            changes.AddRange(watch.Current.Changes);
        }

        Assert.All(changes, c => Assert.True(c.Revision > before));
        var w = changes.Where(c => c.Key == _root + "/w").ToList();
        Assert.Equal(KvChangeKind.Put, w[0].Kind);
        Assert.Equal("after", w[0].Value);
        Assert.Equal("before", w[0].PreviousValue);
        Assert.Equal(KvChangeKind.Delete, w[1].Kind);
        Assert.Equal("after", w[1].PreviousValue);
    }

    [Fact]
    public async Task List_KeysThatAreNotNormalisedPaths_SkippedButReportedWithTheirRawText()
    {
        // etcdctl writes the raw bytes; Tend's own writes always normalise.
        await server.CtlAsync("put", _root + "/n//double", "1");
        await server.CtlAsync("put", _root + "/n/../up", "2");
        await server.CtlAsync("put", _root + "/n/trailing/", "3");
        await _store.PutAsync(_root + "/n/ok", "4");

        var list = await _store.ListAsync(_root + "/n");

        Assert.Equal([_root + "/n/ok"], list.Select(p => p.Key));
        Assert.Equal(3, _store.SkippedKeys.Count);
        Assert.Equal(_root + "/n/trailing/", _store.SkippedKeys.LastKey);
    }

    [Fact]
    public async Task Watch_KeyThatIsNotANormalisedPath_SkippedButReported()
    {
        var start = await _store.ListAsync(_root + "/wn");
        await using var watch = new WatchReader(_store, _root + "/wn", start.Revision + 1, TimeSpan.FromSeconds(15));
        await server.CtlAsync("put", _root + "/wn//x", "hidden");
        await _store.PutAsync(_root + "/wn/ok", "seen");

        var changes = await watch.TakeChangesAsync(1);

        Assert.Equal(_root + "/wn/ok", Assert.Single(changes).Key);
        Assert.Equal(1, _store.SkippedKeys.Count);
        Assert.Equal(_root + "/wn//x", _store.SkippedKeys.LastKey);
    }

    [Fact]
    public async Task Watch_QuietPrefix_ProgressNotificationsAdvanceRevision()
    {
        var start = await _store.ListAsync(_root + "/quiet");
        await using var watch = new WatchReader(_store, _root + "/quiet", start.Revision + 1, TimeSpan.FromSeconds(15));
        var elsewhere = await _store.PutAsync(_root + "/loud", "x");
        var progress = await watch.NextBatchAsync(b => b.IsProgress && b.Revision >= elsewhere);
        Assert.Empty(progress.Changes);
    }

    [Fact]
    public async Task Get_NoServerListening_ThrowsUnavailableNamingEndpoint()
    {
        var dead = $"http://127.0.0.1:{FreePort.Next()}";
        await using var store = EtcdTestStores.Create(dead, Settings);
        var ex = await Assert.ThrowsAsync<KvStoreUnavailableException>(() => store.GetAsync("/x"));
        Assert.Contains(dead, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_FirstEndpointDead_FailsOverToSecond()
    {
        await _store.PutAsync(_root + "/f", "1");
        await using var store = EtcdTestStores.Create([$"http://127.0.0.1:{FreePort.Next()}", server.ClientUrl], Settings);
        Assert.Equal("1", (await store.GetAsync(_root + "/f"))!.Value);
        Assert.Equal("1", (await store.GetAsync(_root + "/f"))!.Value);
    }

    [Fact]
    public async Task Get_HttpsToPlainHttpPort_ThrowsUnavailableMentioningTls()
    {
        await using var store = EtcdTestStores.Create(server.ClientUrl.Replace("http://", "https://", StringComparison.Ordinal), Settings);
        var ex = await Assert.ThrowsAsync<KvStoreUnavailableException>(() => store.GetAsync("/x"));
        Assert.Contains("SSL", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Register_KeyDeletedBySomeoneElse_RecreatedAtOnce()
    {
        var key = _root + "/reg/a";
        await using var registration = await _store.RegisterAsync(key, "me", TimeSpan.FromSeconds(10));
        await using var other = EtcdTestStores.Create(server.ClientUrl, Settings);
        Assert.Equal(1, await other.DeleteAsync(key));
        // The key is visible the moment the put lands; the handle marks itself registered just
        // after the put returns, so wait for both rather than reading the handle in between.
        await EtcdTestStores.EventuallyAsync(
            async () => (await other.GetAsync(key))?.Value == "me" && registration.State == KvRegistrationState.Registered,
            TimeSpan.FromSeconds(10),
            "the registration re-creates its key");
        Assert.Equal(KvRegistrationState.Registered, registration.State);
    }

    [Fact]
    public async Task Register_LeaseRevokedElsewhere_RecreatedOnNewLease()
    {
        var key = _root + "/reg/b";
        var registration = (EtcdRegistration)await _store.RegisterAsync(key, "me", TimeSpan.FromSeconds(3));
        await using var _ = registration;
        var lease = registration.Lease;
        await using var other = EtcdTestStores.Create(server.ClientUrl, Settings);
        await server.CtlAsync("lease", "revoke", lease.ToString("x", CultureInfo.InvariantCulture));
        await EtcdTestStores.EventuallyAsync(async () => registration.Lease != lease && (await other.GetAsync(key))?.Value == "me", TimeSpan.FromSeconds(6), "the key comes back on a new lease");
    }

    [Fact]
    public async Task Register_KeepAlivesStoppedPastTtl_RecreatedAfterExpiry()
    {
        var key = _root + "/reg/c";
        var start = await _store.ListAsync(_root + "/reg");
        var registration = (EtcdRegistration)await _store.RegisterAsync(key, "me", TimeSpan.FromSeconds(2));
        await using var _ = registration;
        await using var watch = new WatchReader(_store, _root + "/reg", start.Revision + 1, TimeSpan.FromSeconds(15));
        registration.KeepAliveSuspended = true;

        // Put (registration), delete (the lease expired), put (re-created on a new lease).
        var changes = await watch.TakeChangesAsync(3);
        registration.KeepAliveSuspended = false;
        Assert.Equal([KvChangeKind.Put, KvChangeKind.Delete, KvChangeKind.Put], changes.Select(c => c.Kind));
        Assert.Equal("me", (await _store.GetAsync(key))!.Value);

        // The watch can deliver the re-created key before the put's answer reaches the registration.
        await EtcdTestStores.EventuallyAsync(() => Task.FromResult(registration.State == KvRegistrationState.Registered), TimeSpan.FromSeconds(10), "the registration is back to registered");
        Assert.Equal(KvRegistrationState.Registered, registration.State);
    }

    [Fact]
    public async Task Register_Dispose_RevokesLeaseAndKeyGoneAtOnce()
    {
        var key = _root + "/reg/d";
        var registration = (EtcdRegistration)await _store.RegisterAsync(key, "me", TimeSpan.FromSeconds(30));
        var lease = registration.Lease;
        await registration.DisposeAsync();
        Assert.Null(await _store.GetAsync(key));
        var leases = await server.CtlAsync("lease", "list");
        Assert.DoesNotContain(lease.ToString("x", CultureInfo.InvariantCulture), leases, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_EndpointsFromDnsSrvDomain_UsesDiscoveredServer()
    {
        await _store.PutAsync(_root + "/srv", "found");
        var port = (ushort)server.Member.ClientPort;
        await using var dns = new FakeDnsServer(q =>
            System.Text.Encoding.ASCII.GetString(q).Contains("-ssl", StringComparison.Ordinal)
                ? DnsPackets.SrvAnswer(q, 3)
                : DnsPackets.SrvAnswer(q, 0, (0, 0, port, "127.0.0.1")));
        var options = new KvStoreOptions { Kind = "etcd", SrvDomain = "cluster.test", RequestTimeout = TimeSpan.FromSeconds(3) };
        await using var store = new EtcdKvStore(options, Settings, null, new SrvResolver([dns.EndPoint], TimeSpan.FromSeconds(15)));
        Assert.Equal("found", (await store.GetAsync(_root + "/srv"))!.Value);
        Assert.Equal(2, dns.Queries);
    }

    [Fact]
    public async Task Get_SrvRecordWithoutAnswers_ThrowsUnavailableNamingRecord()
    {
        await using var dns = new FakeDnsServer(q => DnsPackets.SrvAnswer(q, 3));
        var options = new KvStoreOptions { Kind = "etcd", SrvRecord = "_etcd._tcp.gone.test" };
        await using var store = new EtcdKvStore(options, Settings, null, new SrvResolver([dns.EndPoint], TimeSpan.FromSeconds(15)));
        var ex = await Assert.ThrowsAsync<KvStoreUnavailableException>(() => store.GetAsync("/x"));
        Assert.Contains("_etcd._tcp.gone.test", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MemberList_SingleMember_ReturnsItsUrls()
    {
        var members = await _store.MemberListAsync();
        var member = Assert.Single(members);
        Assert.Equal("solo", member.Name);
        Assert.Contains(server.ClientUrl, member.ClientUrls);
        Assert.NotEqual(0UL, member.Id);
    }

    [Fact]
    public async Task MemberAdd_LearnerThenRemove_ListReflectsBoth()
    {
        var peer = $"http://127.0.0.1:{FreePort.Next()}";
        var added = await _store.MemberAddAsync([peer], isLearner: true);
        Assert.Equal([peer], added.PeerUrls);
        Assert.True(added.IsLearner);
        Assert.Contains(await _store.MemberListAsync(), m => m.Id == added.Id);

        await _store.MemberRemoveAsync(added.Id);
        Assert.DoesNotContain(await _store.MemberListAsync(), m => m.Id == added.Id);
    }

    [Fact]
    public async Task MemberPromote_LearnerThatNeverStarted_RefusedAsNotInSync()
    {
        // The learner's process never runs, so it can never catch up: etcd must refuse, and the refusal must
        // come back typed (FailedPrecondition) so a caller can tell "wait" from "broken".
        var added = await _store.MemberAddAsync([$"http://127.0.0.1:{FreePort.Next()}"], isLearner: true);
        try
        {
            var ex = await Assert.ThrowsAsync<EtcdServerException>(() => _store.MemberPromoteAsync(added.Id));
            Assert.Equal(9, ex.Code);
            Assert.Contains("in sync", ex.ServerMessage, StringComparison.Ordinal);
            Assert.True(Assert.Single(await _store.MemberListAsync(), m => m.Id == added.Id).IsLearner);
        }
        finally
        {
            await _store.MemberRemoveAsync(added.Id);
        }
    }

    [Fact]
    public async Task MemberPromote_UnknownId_ThrowsServerError()
    {
        var ex = await Assert.ThrowsAsync<EtcdServerException>(() => _store.MemberPromoteAsync(12345));
        Assert.Contains("member not found", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task MemberRemove_UnknownId_ThrowsServerError()
    {
        var ex = await Assert.ThrowsAsync<EtcdServerException>(() => _store.MemberRemoveAsync(12345));
        Assert.Contains("member not found", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Put_AfterDispose_ThrowsObjectDisposed()
    {
        await using var store = EtcdTestStores.Create(server.ClientUrl, Settings);
        await store.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.PutAsync(_root + "/d", "x"));
    }

    [Fact]
    public void Name_NamesEndpoints()
    {
        Assert.Equal($"etcd({server.ClientUrl})", _store.Name);
        Assert.Equal(KvStoreCapabilities.All, _store.Capabilities);
    }
}

using System.Collections.Concurrent;
using System.Net;
using Tend.Core.Kv;
using Tend.Stores.Etcd;
using Xunit;
using static Tend.Stores.Tests.Etcd.FakeEtcdTransport;

namespace Tend.Stores.Tests.Etcd;

/// <summary>Store behaviour that a real server cannot be made to show on demand, checked against a fake JSON gateway (the gateway transport).</summary>
public sealed class EtcdKvStoreTransportTests
{
    private const string A = "http://a:2379";
    private const string B = "http://b:2379";

    private static (EtcdKvStore Store, FakeEtcdTransport Transport) Create(Func<Request, Task<HttpResponseMessage>> respond, string[]? endpoints = null, string? user = null)
    {
        var transport = new FakeEtcdTransport(respond);
        var options = new KvStoreOptions { Kind = "etcd", Endpoints = endpoints ?? [A], Username = user, Password = user is null ? null : "pw", RequestTimeout = TimeSpan.FromSeconds(2) };
        return (new EtcdKvStore(options, EtcdTestStores.FastSettings with { Transport = EtcdTransport.Gateway }, null, null, transport), transport);
    }

    private static string Event(string key, long rev, bool delete = false) =>
        $"{{\"type\":\"{(delete ? "DELETE" : "PUT")}\",\"kv\":{{\"key\":\"{B64(key)}\",\"mod_revision\":\"{rev}\",\"value\":\"{B64("v" + rev)}\"}}}}";

    private static string Events(long header, params string[] events) =>
        $"{{\"result\":{{\"header\":{{\"revision\":\"{header}\"}},\"events\":[{string.Join(',', events)}]}}}}";

    private static async Task<List<KvChangeBatch>> TakeAsync(IAsyncEnumerator<KvChangeBatch> watch, int count)
    {
        var batches = new List<KvChangeBatch>();
        while (batches.Count < count)
        {
            Assert.True(await watch.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
            batches.Add(watch.Current);
        }

        return batches;
    }

    [Fact]
    public async Task Watch_StreamEndsMidway_ResumesAtNextRevisionAndDropsRepeats()
    {
        var streams = new ConcurrentQueue<FakeWatchStream>([new FakeWatchStream(), new FakeWatchStream()]);
        var opened = streams.ToArray();
        var (store, _) = Create(r => Task.FromResult(streams.TryDequeue(out var s) ? s.Open(r) : Json("{}", HttpStatusCode.ServiceUnavailable)));
        await using var _s = store;
        await using var watch = store.WatchAsync("/p", 5).GetAsyncEnumerator();
        var first = watch.MoveNextAsync();

        var open1 = await opened[0].Opened.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("5", open1.Json.GetProperty("create_request").GetProperty("start_revision").GetString());
        await opened[0].SendAsync("{\"result\":{\"header\":{\"revision\":\"10\"},\"created\":true}}");
        await opened[0].SendAsync(Events(10, Event("/p/a", 5), Event("/p/b", 6)));
        await opened[0].EndAsync();

        Assert.True(await first);
        var batches = new List<KvChangeBatch> { watch.Current };
        batches.AddRange(await TakeAsync(watch, 1));

        // The watcher is the caller's iterator: asking for the next batch is what reads on and reconnects.
        var third = watch.MoveNextAsync();
        var open2 = await opened[1].Opened.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("7", open2.Json.GetProperty("create_request").GetProperty("start_revision").GetString());
        await opened[1].SendAsync("{\"result\":{\"header\":{\"revision\":\"10\"},\"created\":true}}");
        await opened[1].SendAsync(Events(10, Event("/p/b", 6), Event("/p/c", 7, delete: true)));
        Assert.True(await third.AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        batches.Add(watch.Current);

        Assert.Equal([5L, 6L, 7L], batches.Select(b => b.Revision));
        Assert.Equal(["/p/a", "/p/b", "/p/c"], batches.Select(b => Assert.Single(b.Changes).Key));
        Assert.Equal(KvChangeKind.Delete, batches[2].Changes[0].Kind);
    }

    [Fact]
    public async Task Watch_AnswerSaysCompacted_ResyncsFromListingAndContinuesAfterIt()
    {
        var streams = new ConcurrentQueue<FakeWatchStream>([new FakeWatchStream(), new FakeWatchStream()]);
        var opened = streams.ToArray();
        var (store, transport) = Create(r => Task.FromResult(r.Path switch
        {
            "/v3/watch" => streams.TryDequeue(out var s) ? s.Open(r) : Json("{}", HttpStatusCode.ServiceUnavailable),
            "/v3/kv/range" when r.Json.TryGetProperty("range_end", out _) =>
                Json($"{{\"header\":{{\"revision\":\"20\"}},\"kvs\":[{{\"key\":\"{B64("/p/x")}\",\"mod_revision\":\"15\",\"value\":\"{B64("1")}\"}}],\"count\":\"1\"}}"),
            _ => Json("{\"header\":{\"revision\":\"20\"}}"),
        }));
        await using var _s = store;
        await using var watch = store.WatchAsync("/p", 3).GetAsyncEnumerator();
        var first = watch.MoveNextAsync();
        await opened[0].Opened.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await opened[0].SendAsync("{\"result\":{\"header\":{},\"created\":true,\"canceled\":true,\"compact_revision\":\"8\"}}");

        Assert.True(await first.AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        var resync = watch.Current;
        Assert.True(resync.IsResync);
        Assert.Equal(20, resync.Revision);
        Assert.Equal([("/p/x", "1")], resync.Resync!.Select(p => (p.Key, p.Value)));

        var following = watch.MoveNextAsync();
        var open2 = await opened[1].Opened.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("21", open2.Json.GetProperty("create_request").GetProperty("start_revision").GetString());
        await opened[1].SendAsync(Events(21, Event("/p/y", 21)));
        Assert.True(await following.AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("/p/y", Assert.Single(watch.Current.Changes).Key);
        Assert.Contains(transport.Requests, r => r.Path == "/v3/kv/range");
    }

    [Fact]
    public async Task Watch_ProgressAndOutOfPathEvents_YieldProgressBatches()
    {
        var stream = new FakeWatchStream();
        var (store, _) = Create(r => Task.FromResult(stream.Open(r)));
        await using var _s = store;
        await using var watch = store.WatchAsync("/p", 5).GetAsyncEnumerator();
        var first = watch.MoveNextAsync();
        await stream.Opened.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await stream.SendAsync("{\"result\":{\"header\":{\"revision\":\"9\"},\"created\":true}}");
        await stream.SendAsync(Events(9, Event("/p-x", 6)));
        await stream.SendAsync("{\"result\":{\"header\":{\"revision\":\"30\"}}}");
        await stream.SendAsync(Events(31, Event("/p", 31)));

        Assert.True(await first.AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        var batches = new List<KvChangeBatch> { watch.Current };
        batches.AddRange(await TakeAsync(watch, 2));
        Assert.True(batches[0].IsProgress);
        Assert.Equal(6, batches[0].Revision);
        Assert.True(batches[1].IsProgress);
        Assert.Equal(30, batches[1].Revision);
        Assert.Equal("/p", Assert.Single(batches[2].Changes).Key);
    }

    [Fact]
    public async Task Put_ConnectionLostAfterSending_NotRetriedOnAnotherEndpoint()
    {
        var (store, transport) = Create(
            r => r.Endpoint == A
                ? throw new HttpRequestException(HttpRequestError.ResponseEnded, "the server closed the connection")
                : Task.FromResult(Json("{\"header\":{\"revision\":\"2\"}}")),
            [A, B]);
        await using var _s = store;
        var ex = await Assert.ThrowsAsync<KvStoreUnavailableException>(() => store.PutAsync("/k", "v"));
        Assert.Contains("may or may not have been applied", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(transport.Requests, r => r.Endpoint == B);
    }

    [Fact]
    public async Task Put_FirstEndpointRefusesConnection_SentToSecond()
    {
        var (store, transport) = Create(
            r => r.Endpoint == A
                ? throw new HttpRequestException(HttpRequestError.ConnectionError, "connection refused")
                : Task.FromResult(Json("{\"header\":{\"revision\":\"42\"}}")),
            [A, B]);
        await using var _s = store;
        Assert.Equal(42, await store.PutAsync("/k", "v"));

        // The next call starts at the endpoint that answered.
        await store.PutAsync("/k", "v");
        Assert.Single(transport.Requests, r => r.Endpoint == A);
    }

    [Fact]
    public async Task Get_FirstEndpointHasNoLeader_ReadFromSecond()
    {
        var (store, _) = Create(
            r => Task.FromResult(r.Endpoint == A
                ? Json("{\"error\":\"etcdserver: no leader\",\"message\":\"etcdserver: no leader\",\"code\":14}", HttpStatusCode.ServiceUnavailable)
                : Json($"{{\"header\":{{\"revision\":\"3\"}},\"kvs\":[{{\"key\":\"{B64("/k")}\",\"mod_revision\":\"3\",\"value\":\"{B64("v")}\"}}]}}")),
            [A, B]);
        await using var _s = store;
        Assert.Equal("v", (await store.GetAsync("/k"))!.Value);
    }

    [Fact]
    public async Task Get_EveryEndpointFails_UnavailableListsEach()
    {
        var (store, _) = Create(_ => throw new HttpRequestException(HttpRequestError.ConnectionError, "connection refused"), [A, B]);
        await using var _s = store;
        var ex = await Assert.ThrowsAsync<KvStoreUnavailableException>(() => store.GetAsync("/k"));
        Assert.Contains(A, ex.Message, StringComparison.Ordinal);
        Assert.Contains(B, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_ServerRefusesRequest_EtcdServerExceptionWithCodeAndMessage()
    {
        var (store, _) = Create(_ => Task.FromResult(Json("{\"error\":\"etcdserver: request is too large\",\"message\":\"etcdserver: request is too large\",\"code\":3}", HttpStatusCode.BadRequest)));
        await using var _s = store;
        var ex = await Assert.ThrowsAsync<EtcdServerException>(() => store.GetAsync("/k"));
        Assert.Equal(3, ex.Code);
        Assert.Equal("etcdserver: request is too large", ex.ServerMessage);
        Assert.Contains(A, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_TokenRefusedTwice_ReauthenticatesOnceThenAuthenticationException()
    {
        int tokens = 0;
        var (store, transport) = Create(
            r => Task.FromResult(r.Path == "/v3/auth/authenticate"
                ? Json($"{{\"header\":{{}},\"token\":\"t{Interlocked.Increment(ref tokens)}\"}}")
                : Json("{\"error\":\"etcdserver: invalid auth token\",\"message\":\"etcdserver: invalid auth token\",\"code\":16}", HttpStatusCode.Unauthorized)),
            user: "root");
        await using var _s = store;
        await Assert.ThrowsAsync<KvAuthenticationException>(() => store.GetAsync("/k"));
        Assert.Equal(2, tokens);
        Assert.Equal(2, transport.Requests.Count(r => r.Path == "/v3/kv/range"));
    }
}

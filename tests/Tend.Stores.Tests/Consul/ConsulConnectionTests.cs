using System.Net;
using System.Text;
using Tend.Core.Kv;
using Tend.Stores.Consul;
using Xunit;

namespace Tend.Stores.Tests.Consul;

/// <summary>The connection layer against a scripted handler: failover rules, headers and query parameters, refusals.</summary>
public sealed class ConsulConnectionTests
{
    private const string A = "http://a.test:8500";
    private const string B = "http://b.test:8500";

    [Fact]
    public async Task Get_FirstEndpointHasNoLeader_NextEndpointAnswersAndBecomesCurrent()
    {
        var handler = new ScriptedHandler((request, _) => request.RequestUri!.Host == "a.test"
            ? Answer(HttpStatusCode.InternalServerError, "No cluster leader")
            : Answer(HttpStatusCode.OK, "[{\"Key\":\"k\",\"Value\":\"dg==\",\"CreateIndex\":1,\"ModifyIndex\":4}]", index: 4));
        await using var store = Create(handler, o => o);

        Assert.Equal("v", (await store.GetAsync("/k"))!.Value);
        await store.GetAsync("/k");

        Assert.Equal(["a.test", "b.test", "b.test"], handler.Hosts);
    }

    [Fact]
    public async Task Put_ConnectionDroppedAfterSending_NotSentElsewhereAndSaysItMayHaveBeenApplied()
    {
        var handler = new ScriptedHandler((_, _) => throw new HttpRequestException(HttpRequestError.ResponseEnded, "the connection was closed"));
        await using var store = Create(handler, o => o);

        var ex = await Assert.ThrowsAsync<KvStoreUnavailableException>(() => store.PutAsync("/k", "v"));

        Assert.Contains("may or may not have been applied", ex.Message, StringComparison.Ordinal);
        Assert.Equal(["a.test"], handler.Hosts);
    }

    [Fact]
    public async Task Put_ConnectionRefused_NextEndpointTakesTheWrite()
    {
        var handler = new ScriptedHandler((request, _) => request.RequestUri!.Host == "a.test"
            ? throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused")
            : Answer(HttpStatusCode.OK, "{\"Results\":[{\"KV\":{\"Key\":\"k\",\"ModifyIndex\":9}}],\"Errors\":null}"));
        await using var store = Create(handler, o => o);

        Assert.Equal(9, await store.PutAsync("/k", "v"));
        Assert.Equal(["a.test", "b.test"], handler.Hosts);
    }

    [Fact]
    public async Task List_TokenDatacenterConsistency_SentAsConsulExpects()
    {
        var handler = new ScriptedHandler((_, _) => Answer(HttpStatusCode.NotFound, string.Empty, index: 7));
        await using var store = Create(handler, o => o with { Token = "tok-123", Datacenter = "dc 2", Consistency = "stale" });

        var empty = await store.ListAsync("/app/x y");

        Assert.Empty(empty);
        Assert.Equal(7, empty.Revision);
        var request = handler.Requests.Single();
        Assert.Equal("/v1/kv/app/x%20y?recurse&dc=dc%202&stale", request.Uri.PathAndQuery);
        Assert.Equal("tok-123", request.Token);
    }

    [Fact]
    public async Task Put_Forbidden_AuthenticationErrorNamesTheTokensSourceNeverTheToken()
    {
        var handler = new ScriptedHandler((_, _) => Answer(HttpStatusCode.Forbidden, "Permission denied"));
        await using var store = Create(handler, o => o with { Endpoints = [A], Token = "tok-123", TokenSource = "--token" });

        var ex = await Assert.ThrowsAsync<KvAuthenticationException>(() => store.PutAsync("/k", "v"));

        Assert.Contains("Permission denied", ex.Message, StringComparison.Ordinal);
        Assert.Contains("--token", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("tok-123", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_TokenFromTheEnvironment_UsedAndNamedAsItsSource()
    {
        var handler = new ScriptedHandler((_, _) => Answer(HttpStatusCode.Forbidden, "ACL not found"));
        await using var store = new ConsulKvStore(
            new KvStoreOptions { Kind = KvStoreKinds.Consul, Endpoints = [A] },
            ConsulStoreSettings.Default,
            null,
            null,
            handler,
            name => name == "CONSUL_HTTP_TOKEN" ? "env-token" : null);

        var ex = await Assert.ThrowsAsync<KvAuthenticationException>(() => store.GetAsync("/k"));

        Assert.Equal("env-token", handler.Requests.Single().Token);
        Assert.Contains("CONSUL_HTTP_TOKEN", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Commit_AnswerOf413_ErrorNamesTheLimitNothingApplied()
    {
        var handler = new ScriptedHandler((_, _) => Answer(HttpStatusCode.RequestEntityTooLarge, "Transaction contains too many operations (65 > 64)"));
        await using var store = Create(handler, o => o with { Endpoints = [A] });

        var ex = await Assert.ThrowsAsync<KvStoreException>(() => store.CommitAsync(KvTransaction.Of([.. Enumerable.Range(0, 65).Select(i => KvOperation.Put($"/k/{i}", "v"))])));

        Assert.Contains("65 > 64", ex.Message, StringComparison.Ordinal);
        Assert.Contains("nothing was applied", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_NoEndpointAnswersThenOneDoes_UnreachableSinceTheFailureThenConnectedWithAReconnect()
    {
        bool down = false;
        var handler = new ScriptedHandler((_, _) => down
            ? throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused")
            : Answer(HttpStatusCode.NotFound, string.Empty, index: 3));
        await using var store = Create(handler, o => o);
        Assert.Equal(KvStoreConnectionState.Unknown, store.Health.State);

        await store.GetAsync("/k");
        Assert.Equal(KvStoreConnectionState.Connected, store.Health.State);

        down = true;
        await Assert.ThrowsAsync<KvStoreUnavailableException>(() => store.GetAsync("/k"));
        var outage = store.Health;
        Assert.True(outage.IsUnreachable);
        Assert.Contains("Connection refused", outage.LastError, StringComparison.Ordinal);

        down = false;
        await store.GetAsync("/k");
        Assert.Equal(KvStoreConnectionState.Connected, store.Health.State);
        Assert.Equal(1, store.Health.Reconnects);
        Assert.Equal(outage.LastError, store.Health.LastError);
    }

    [Fact]
    public async Task Health_EveryServerWithoutLeader_Unreachable()
    {
        var handler = new ScriptedHandler((_, _) => Answer(HttpStatusCode.InternalServerError, "No cluster leader"));
        await using var store = Create(handler, o => o);

        await Assert.ThrowsAsync<KvStoreUnavailableException>(() => store.ListAsync("/app"));

        Assert.True(store.Health.IsUnreachable);
        Assert.Contains("No cluster leader", store.Health.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CatchUp_NothingChanged_KvIndexAndKeyNamesReadNoValuesNotStale()
    {
        var handler = new ScriptedHandler((request, _) => request.RequestUri!.AbsolutePath switch
        {
            "/v1/kv/app/.tend-kv-index" => Answer(HttpStatusCode.NotFound, string.Empty, index: 90),
            "/v1/kv/app/" => Answer(HttpStatusCode.OK, "[\"app/a\",\"app/b/c\",\"app/folder/\"]", index: 40),
            "/v1/kv/app" => Answer(HttpStatusCode.NotFound, string.Empty, index: 90),
            var path => throw new InvalidOperationException("unexpected request " + path),
        });
        await using var store = Create(handler, o => o with { Endpoints = [A], Consistency = "stale" });
        var known = KvSnapshot.Create("/app", 50, [new KvPair("/app/a", "1", 30), new KvPair("/app/b/c", "2", 40)]);

        var batch = await store.CatchUpAsync(known);

        Assert.True(batch.IsProgress, $"expected progress, got {batch}");
        Assert.Equal(90, batch.Revision);
        Assert.Equal(3, handler.Requests.Count);
        Assert.DoesNotContain(handler.Requests, r => r.Uri.Query.Contains("recurse", StringComparison.Ordinal) || r.Uri.Query.Contains("stale", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CatchUp_AKeyBelowWrittenAfterTheKnownIndex_ListedAndResyncedAtTheKvIndex()
    {
        var handler = new ScriptedHandler((request, _) => (request.RequestUri!.AbsolutePath, request.RequestUri.Query) switch
        {
            ("/v1/kv/app/.tend-kv-index", _) => Answer(HttpStatusCode.NotFound, string.Empty, index: 90),
            ("/v1/kv/app/", _) => Answer(HttpStatusCode.OK, "[\"app/a\"]", index: 60),
            ("/v1/kv/app", "?recurse") => Answer(HttpStatusCode.OK, "[{\"Key\":\"app/a\",\"Value\":\"Mw==\",\"CreateIndex\":1,\"ModifyIndex\":60}]", index: 60),
            ("/v1/kv/app", _) => Answer(HttpStatusCode.NotFound, string.Empty, index: 90),
            var other => throw new InvalidOperationException("unexpected request " + other),
        });
        await using var store = Create(handler, o => o with { Endpoints = [A] });
        var known = KvSnapshot.Create("/app", 50, [new KvPair("/app/a", "1", 30)]);

        var batch = await store.CatchUpAsync(known);

        Assert.True(batch.IsResync, $"expected a resync, got {batch}");
        Assert.Equal(90, batch.Revision);
        Assert.Equal([("/app/a", "3")], batch.Resync!.Select(p => (p.Key, p.Value)));
    }

    [Fact]
    public async Task CatchUp_KvIndexIsTheKnownRevision_ProgressAfterOneRequest()
    {
        var handler = new ScriptedHandler((_, _) => Answer(HttpStatusCode.NotFound, string.Empty, index: 50));
        await using var store = Create(handler, o => o with { Endpoints = [A] });
        var known = KvSnapshot.Create("/app", 50, [new KvPair("/app/a", "1", 30)]);

        var batch = await store.CatchUpAsync(known);

        Assert.True(batch.IsProgress, $"expected progress, got {batch}");
        Assert.Equal(50, batch.Revision);
        Assert.Equal("/v1/kv/app/.tend-kv-index", Assert.Single(handler.Requests).Uri.AbsolutePath);
    }

    [Fact]
    public async Task CatchUp_KvIndexWentBackBelowTheKnownRevision_ListedAndTheNewValueResynced()
    {
        // An agent restarted empty and the key written again: every index is low, the names are the same.
        var handler = new ScriptedHandler((request, _) => (request.RequestUri!.AbsolutePath, request.RequestUri.Query) switch
        {
            ("/v1/kv/app/.tend-kv-index", _) => Answer(HttpStatusCode.NotFound, string.Empty, index: 20),
            ("/v1/kv/app/", _) => Answer(HttpStatusCode.OK, "[\"app/a\"]", index: 20),
            ("/v1/kv/app", "?recurse") => Answer(HttpStatusCode.OK, "[{\"Key\":\"app/a\",\"Value\":\"Mg==\",\"CreateIndex\":20,\"ModifyIndex\":20}]", index: 20),
            ("/v1/kv/app", _) => Answer(HttpStatusCode.NotFound, string.Empty, index: 20),
            var other => throw new InvalidOperationException("unexpected request " + other),
        });
        await using var store = Create(handler, o => o with { Endpoints = [A] });
        var known = KvSnapshot.Create("/app", 500, [new KvPair("/app/a", "1", 400)]);

        var batch = await store.CatchUpAsync(known);

        Assert.True(batch.IsResync, $"expected a resync, got {batch}");
        Assert.Equal([("/app/a", "2")], batch.Resync!.Select(p => (p.Key, p.Value)));
    }

    [Fact]
    public async Task Name_PasswordInTheEndpointUrl_NeverInTheNameOrAnErrorAndNotSent()
    {
        var handler = new ScriptedHandler((_, _) => Answer(HttpStatusCode.InternalServerError, "No cluster leader"));
        await using var store = new ConsulKvStore(
            new KvStoreOptions { Kind = KvStoreKinds.Consul, Endpoints = ["http://ops:s3cret@a.test:8500"] }, ConsulStoreSettings.Default, null, null, handler, _ => null);

        var ex = await Assert.ThrowsAnyAsync<KvStoreException>(() => store.GetAsync("/k"));

        Assert.Equal("consul(http://ops:***@a.test:8500)", store.Name);
        Assert.DoesNotContain("s3cret", ex.ToString(), StringComparison.Ordinal);
        Assert.NotEmpty(handler.Requests);
        Assert.All(handler.Requests, r => Assert.Equal(string.Empty, r.Uri.UserInfo));
    }

    [Fact]
    public async Task Name_PasswordInConsulHttpAddr_Redacted()
    {
        var handler = new ScriptedHandler((_, _) => Answer(HttpStatusCode.OK, "[]", index: 1));
        await using var store = new ConsulKvStore(
            new KvStoreOptions { Kind = KvStoreKinds.Consul }, ConsulStoreSettings.Default, null, null, handler, name => name == "CONSUL_HTTP_ADDR" ? "http://ops:s3cret@a.test:8500" : null);

        Assert.Equal("consul(http://ops:***@a.test:8500)", store.Name);
    }

    private static ConsulKvStore Create(ScriptedHandler handler, Func<KvStoreOptions, KvStoreOptions> configure) =>
        new(configure(new KvStoreOptions { Kind = KvStoreKinds.Consul, Endpoints = [A, B] }), ConsulStoreSettings.Default, null, null, handler, _ => null);

    private static HttpResponseMessage Answer(HttpStatusCode status, string body, long index = 0)
    {
        var response = new HttpResponseMessage(status) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        if (index > 0)
        {
            response.Headers.Add("X-Consul-Index", index.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return response;
    }

    private sealed class ScriptedHandler(Func<HttpRequestMessage, int, HttpResponseMessage> answer) : HttpMessageHandler
    {
        private readonly List<(Uri Uri, string? Token)> _requests = [];

        public IReadOnlyList<(Uri Uri, string? Token)> Requests => _requests;

        public IEnumerable<string> Hosts => _requests.Select(r => r.Uri.Host);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            _requests.Add((request.RequestUri!, request.Headers.TryGetValues("X-Consul-Token", out var t) ? t.Single() : null));
            return Task.FromResult(answer(request, _requests.Count));
        }
    }
}

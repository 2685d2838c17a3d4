using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Tend.Core.Kv;
using Tend.Stores.Etcd;
using Xunit;

namespace Tend.Stores.Tests.Etcd;

/// <summary>The one call policy both transports share, driven by scripted attempts (no server, no wire).</summary>
public sealed class EtcdCallPolicyTests
{
    private static readonly Uri A = new("http://a:2379/");
    private static readonly Uri B = new("http://b:2379/");

    private readonly List<(Uri Endpoint, string? Token)> _attempts = [];
    private readonly FakeAuthenticator _auth = new();

    private static EtcdAttemptException Refused(StatusCode code, string message) => new(new EtcdError(code, message));

    private EtcdCallPolicy Create(string? user = null) =>
        new(
            new KvStoreOptions { Kind = "etcd", Endpoints = [A.ToString(), B.ToString()], Username = user, Password = user is null ? null : "pw", RequestTimeout = TimeSpan.FromSeconds(1) },
            new EtcdEndpoints(new KvStoreOptions { Kind = "etcd", Endpoints = [A.ToString(), B.ToString()] }, NullLogger.Instance, null),
            NullLogger.Instance,
            _auth);

    private Func<Uri, string?, CancellationToken, Task<string>> Script(Func<Uri, int, string> answer)
    {
        return (endpoint, token, _) =>
        {
            _attempts.Add((endpoint, token));
            return Task.FromResult(answer(endpoint, _attempts.Count));
        };
    }

    [Fact]
    public async Task CallAsync_AttemptFailsAfterCancellation_CallerSeesCancellationNotTheAttempt()
    {
        using var policy = Create();
        using var cts = new CancellationTokenSource();
        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            policy.CallAsync<string>("revoke", idempotent: true, (_, _, _) =>
            {
                // What a revoke racing a dispose saw: the server's refusal arrives once the caller has given up.
                cts.Cancel();
                throw Refused(StatusCode.NotFound, "etcdserver: requested lease not found");
            }, cts.Token));
        Assert.IsType<EtcdAttemptException>(ex.InnerException);
    }

    [Fact]
    public async Task CallAsync_WriteNeverSent_SentToNextEndpoint()
    {
        using var policy = Create();
        var answer = await policy.CallAsync("put", idempotent: false, Script((e, _) => e == A ? throw new EtcdAttemptException(EtcdFailure.NotSent, "connection refused") : "ok"), default);
        Assert.Equal("ok", answer);
        Assert.Equal([A, B], _attempts.Select(a => a.Endpoint));
    }

    [Theory]
    [InlineData(false, "failed after it was sent")]
    [InlineData(true, "timed out after")]
    public async Task CallAsync_WriteMayHaveLanded_NotRetriedAnywhere(bool timedOut, string expected)
    {
        var failure = timedOut ? EtcdFailure.TimedOut : EtcdFailure.Broken;
        using var policy = Create();
        var ex = await Assert.ThrowsAsync<KvStoreUnavailableException>(() =>
            policy.CallAsync("put", idempotent: false, Script((_, _) => throw new EtcdAttemptException(failure, "connection reset")), default));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Contains("may or may not have been applied", ex.Message, StringComparison.Ordinal);
        Assert.Equal([A], _attempts.Select(a => a.Endpoint));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CallAsync_ReadFailedOnTheWay_ReadFromNextEndpoint(bool timedOut)
    {
        var failure = timedOut ? EtcdFailure.TimedOut : EtcdFailure.Broken;
        using var policy = Create();
        var answer = await policy.CallAsync("range", idempotent: true, Script((e, _) => e == A ? throw new EtcdAttemptException(failure, "reset") : "ok"), default);
        Assert.Equal("ok", answer);
    }

    [Fact]
    public async Task CallAsync_ReadAnsweredNoLeader_ReadFromNextEndpoint()
    {
        using var policy = Create();
        var answer = await policy.CallAsync("range", idempotent: true, Script((e, _) => e == A ? throw Refused(StatusCode.Unavailable, "etcdserver: no leader") : "ok"), default);
        Assert.Equal("ok", answer);
    }

    [Fact]
    public async Task CallAsync_WriteAnsweredNoLeader_UnavailableWithoutFailover()
    {
        using var policy = Create();
        await Assert.ThrowsAsync<KvStoreUnavailableException>(() =>
            policy.CallAsync("put", idempotent: false, Script((_, _) => throw Refused(StatusCode.Unavailable, "etcdserver: leader changed")), default));
        Assert.Equal([A], _attempts.Select(a => a.Endpoint));
    }

    [Fact]
    public async Task CallAsync_OtherRefusal_EtcdServerExceptionWithCode()
    {
        using var policy = Create();
        var ex = await Assert.ThrowsAsync<EtcdServerException>(() =>
            policy.CallAsync("txn", idempotent: false, Script((_, _) => throw Refused(StatusCode.InvalidArgument, "etcdserver: too many operations in txn request")), default));
        Assert.Equal((int)StatusCode.InvalidArgument, ex.Code);
        Assert.Equal([A], _attempts.Select(a => a.Endpoint));
    }

    [Fact]
    public async Task CallAsync_TokenRefused_NewTokenAndOneRetryOnSameEndpoint()
    {
        using var policy = Create(user: "root");
        var answer = await policy.CallAsync("put", idempotent: false, Script((_, n) => n == 1 ? throw Refused(StatusCode.Unauthenticated, "etcdserver: invalid auth token") : "ok"), default);
        Assert.Equal("ok", answer);
        Assert.Equal([(A, "t1"), (A, "t2")], _attempts);
    }

    [Fact]
    public async Task CallAsync_TokenRefusedTwice_AuthenticationException()
    {
        using var policy = Create(user: "root");
        await Assert.ThrowsAsync<KvAuthenticationException>(() =>
            policy.CallAsync("range", idempotent: true, Script((_, _) => throw Refused(StatusCode.Unauthenticated, "etcdserver: invalid auth token")), default));
        Assert.Equal(2, _attempts.Count);
        Assert.Equal(2, _auth.Calls);
    }

    [Fact]
    public async Task CallAsync_AuthenticationUnreachable_WriteMovesOnBecauseItNeverLeft()
    {
        using var policy = Create(user: "root");
        _auth.Failing = A;
        var answer = await policy.CallAsync("put", idempotent: false, Script((_, _) => "ok"), default);
        Assert.Equal("ok", answer);
        Assert.Equal([(B, "t2")], _attempts);
    }

    [Fact]
    public async Task CallAsync_WrongPassword_AuthenticationExceptionNamingUser()
    {
        using var policy = Create(user: "root");
        _auth.Refusal = new EtcdError(StatusCode.InvalidArgument, "etcdserver: authentication failed, invalid user ID or password");
        var ex = await Assert.ThrowsAsync<KvAuthenticationException>(() => policy.CallAsync("range", idempotent: true, Script((_, _) => "ok"), default));
        Assert.Contains("'root'", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_attempts);
    }

    [Fact]
    public async Task TokenAsync_AuthNotEnabledOnServer_EmptyTokenAndNoMoreAuthentication()
    {
        using var policy = Create(user: "root");
        _auth.Refusal = new EtcdError(StatusCode.FailedPrecondition, "etcdserver: authentication is not enabled");
        Assert.Equal(string.Empty, await policy.TokenAsync(A, default));
        Assert.Equal(string.Empty, await policy.TokenAsync(B, default));
        Assert.Equal(1, _auth.Calls);
    }

    [Fact]
    public async Task CallAsync_EveryEndpointFails_UnavailableListingEach()
    {
        using var policy = Create();
        var ex = await Assert.ThrowsAsync<KvStoreUnavailableException>(() =>
            policy.CallAsync("range", idempotent: true, Script((e, _) => throw new EtcdAttemptException(EtcdFailure.NotSent, $"refused by {e.Host}")), default));
        Assert.Contains("refused by a", ex.Message, StringComparison.Ordinal);
        Assert.Contains("refused by b", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CallAsync_AfterFailover_NextCallStartsAtTheEndpointThatAnswered()
    {
        using var policy = Create();
        await policy.CallAsync("range", idempotent: true, Script((e, _) => e == A ? throw new EtcdAttemptException(EtcdFailure.NotSent, "refused") : "ok"), default);
        _attempts.Clear();
        await policy.CallAsync("range", idempotent: true, Script((_, _) => "ok"), default);
        Assert.Equal([B], _attempts.Select(a => a.Endpoint));
    }

    private sealed class FakeAuthenticator : IEtcdAuthenticator
    {
        private int _calls;

        public int Calls => _calls;

        public Uri? Failing { get; set; }

        public EtcdError? Refusal { get; set; }

        public Task<string> AuthenticateAsync(Uri endpoint, string username, string password, CancellationToken cancellationToken)
        {
            int n = Interlocked.Increment(ref _calls);
            if (endpoint == Failing)
            {
                throw new EtcdAttemptException(EtcdFailure.Broken, "connection reset during authentication");
            }

            if (Refusal is { } refusal)
            {
                throw new EtcdAttemptException(refusal);
            }

            return Task.FromResult($"t{n}");
        }
    }
}

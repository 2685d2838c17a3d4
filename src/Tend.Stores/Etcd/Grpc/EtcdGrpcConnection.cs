using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Tend.Core.Kv;

namespace Tend.Stores.Etcd.Grpc;

/// <summary>
/// The gRPC side of the store: one channel per endpoint over the shared HTTP/2 handler (h2c for
/// <c>http://</c>, ALPN h2 for <c>https://</c>), the auth token in the <c>token</c> header, and one attempt of a
/// unary call with its failure told apart (never sent, broken, timed out, refused by etcd) for
/// <see cref="EtcdCallPolicy"/>, which decides about failover, re-authentication and retries.
/// </summary>
internal sealed class EtcdGrpcConnection : IEtcdAuthenticator, IDisposable
{
    private readonly KvStoreOptions _options;
    private readonly HttpMessageHandler _handler;
    private readonly ConcurrentDictionary<Uri, GrpcChannel> _channels = new();

    public EtcdGrpcConnection(KvStoreOptions options, EtcdEndpoints endpoints, ILogger logger, HttpMessageHandler handler)
    {
        _options = options;
        _handler = handler;
        Policy = new EtcdCallPolicy(options, endpoints, logger, this);
    }

    public EtcdCallPolicy Policy { get; }

    public string Name => Policy.Name;

    public EtcdEndpoints Endpoints => Policy.Endpoints;

    public bool HasCredentials => Policy.HasCredentials;

    public TimeSpan RequestTimeout => _options.RequestTimeout;

    public ILogger Logger => Policy.Logger;

    /// <summary>The server refused <paramref name="token"/> during <paramref name="what"/>: forget it, so the next call authenticates again.</summary>
    public void InvalidateToken(string? token, string what, string reason) => Policy.InvalidateToken(token, what, reason);

    public CallInvoker Invoker(Uri endpoint) => Channel(endpoint).CreateCallInvoker();

    /// <summary>The metadata every call carries: the auth token (if any), and for streams "require a leader".</summary>
    public static Metadata Headers(string? token, bool requireLeader = false)
    {
        var headers = new Metadata();
        if (!string.IsNullOrEmpty(token))
        {
            headers.Add("token", token);
        }

        if (requireLeader)
        {
            // A member that lost its leader ends such streams ("no leader") instead of keeping them open and silent.
            headers.Add("hasleader", "true");
        }

        return headers;
    }

    /// <summary>Makes one unary call under the store's <see cref="EtcdCallPolicy"/>.</summary>
    public Task<TResponse> CallAsync<TResponse>(string what, bool idempotent, Func<CallInvoker, CallOptions, AsyncUnaryCall<TResponse>> call, CancellationToken cancellationToken) =>
        Policy.CallAsync(what, idempotent, (endpoint, token, ct) => AttemptAsync(endpoint, token, call, ct), cancellationToken);

    /// <summary>One try of a unary call on <paramref name="endpoint"/>; a failure as <see cref="EtcdAttemptException"/>.</summary>
    public async Task<TResponse> AttemptAsync<TResponse>(Uri endpoint, string? token, Func<CallInvoker, CallOptions, AsyncUnaryCall<TResponse>> call, CancellationToken cancellationToken)
    {
        try
        {
            var options = new CallOptions(Headers(token), DateTime.UtcNow + _options.RequestTimeout, cancellationToken);
            using var pending = call(Invoker(endpoint), options);
            return await AnswerAsync(pending, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw Classify(ex, cancellationToken);
        }
    }

    /// <inheritdoc />
    public async Task<string> AuthenticateAsync(Uri endpoint, string username, string password, CancellationToken cancellationToken)
    {
        var request = new AuthenticateRequest { Name = username, Password = password };
        var answer = await AttemptAsync(endpoint, null, (i, o) => new Auth.AuthClient(i).AuthenticateAsync(request, o), cancellationToken).ConfigureAwait(false);
        return answer.Token ?? string.Empty;
    }

    /// <summary>True when <paramref name="endpoint"/> answers a trivial linearizable read within the request timeout.</summary>
    public async Task<bool> ProbeAsync(Uri endpoint, CancellationToken cancellationToken)
    {
        if (Endpoints.AnsweredRecently(endpoint))
        {
            return true;
        }

        try
        {
            // Linearizable on purpose: a member cut off from the leader still answers serializable reads.
            var request = new RangeRequest { Key = Google.Protobuf.ByteString.CopyFromUtf8("/"), Limit = 1, CountOnly = true };
            var options = new CallOptions(Headers(Policy.CurrentToken), DateTime.UtcNow + _options.RequestTimeout, cancellationToken);
            using var probe = new KV.KVClient(Invoker(endpoint)).RangeAsync(request, options);
            await AnswerAsync(probe, cancellationToken).ConfigureAwait(false);
            Endpoints.Answered(endpoint);
            return true;
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            bool alive = !IsTransportFailure(ex, cancellationToken) && EtcdErrors.IsTokenProblem(ToError(ex));
            if (alive)
            {
                Endpoints.Answered(endpoint);
            }

            return alive;
        }
    }

    public KvStoreException ToException(string what, EtcdError error) => Policy.ToException(what, error);

    /// <summary>
    /// True when the call failed on the way (connect, TLS, a broken connection, our deadline) rather than
    /// being refused by etcd: etcd's own refusals carry no client-side exception.
    /// </summary>
    public static bool IsTransportFailure(RpcException ex, CancellationToken cancellationToken) =>
        ex.Status.DebugException is not null
        || ex.StatusCode == StatusCode.DeadlineExceeded
        || (ex.StatusCode == StatusCode.Cancelled && !cancellationToken.IsCancellationRequested)
        || (ex.StatusCode == StatusCode.Unavailable && string.IsNullOrEmpty(ex.Status.Detail));

    public static EtcdError ToError(RpcException ex) => new(ex.StatusCode, string.IsNullOrEmpty(ex.Status.Detail) ? ex.StatusCode.ToString() : ex.Status.Detail);

    /// <summary>The failure in words, down to the socket or TLS error.</summary>
    public static string Describe(RpcException ex) =>
        ex.Status.DebugException is { } inner ? EtcdErrors.Describe(inner) : ex.Status.Detail;

    public void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }

        _channels.Clear();
        Policy.Dispose();
    }

    /// <summary>
    /// Awaits a unary answer. The channels throw <see cref="OperationCanceledException"/> on cancellation, so that a
    /// caller's cancellation surfaces as cancellation; but Grpc.Net.Client then reports an exceeded deadline the same
    /// way. A cancellation the caller did not ask for is our deadline, and is turned back into DeadlineExceeded here,
    /// so the timeout paths (failover, "may or may not have been applied") see it.
    /// </summary>
    internal static async Task<TResponse> AnswerAsync<TResponse>(AsyncUnaryCall<TResponse> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call.ResponseAsync.ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.DeadlineExceeded, "deadline exceeded", ex));
        }
        catch (RpcException ex) when (cancellationToken.IsCancellationRequested)
        {
            // The caller cancelled while the answer (an error, say "lease not found") was on its
            // way: the caller asked to stop, so that is what it hears, not a raw server error that
            // none of the cancelled-path filters expect.
            throw new OperationCanceledException($"cancelled ({ex.Status.Detail})", ex, cancellationToken);
        }
    }

    /// <summary>What a failed call means: etcd's refusal, or a failure on the way (never sent, broken, timed out).</summary>
    public static EtcdAttemptException Classify(RpcException ex, CancellationToken cancellationToken)
    {
        if (!IsTransportFailure(ex, cancellationToken))
        {
            return new EtcdAttemptException(ToError(ex), ex);
        }

        if (ex.StatusCode == StatusCode.DeadlineExceeded)
        {
            return new EtcdAttemptException(EtcdFailure.TimedOut, "timed out", ex);
        }

        bool neverSent = ex.Status.DebugException is HttpRequestException http && EtcdErrors.NeverSent(http);
        return new EtcdAttemptException(neverSent ? EtcdFailure.NotSent : EtcdFailure.Broken, Describe(ex), ex);
    }

    private GrpcChannel Channel(Uri endpoint) => _channels.GetOrAdd(endpoint, e => GrpcChannel.ForAddress(e, new GrpcChannelOptions
    {
        HttpHandler = _handler,
        DisposeHttpClient = false,

        // A page of a listing can be large; the page size, not a message limit, bounds it.
        MaxReceiveMessageSize = null,
        MaxSendMessageSize = null,
        ThrowOperationCanceledOnCancellation = true,
        LoggerFactory = null,
    }));
}

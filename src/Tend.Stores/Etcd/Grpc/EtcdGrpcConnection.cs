using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Tend.Core.Kv;

namespace Tend.Stores.Etcd.Grpc;

/// <summary>
/// The gRPC side of the store: one channel per endpoint over the shared HTTP/2 handler (h2c for
/// <c>http://</c>, ALPN h2 for <c>https://</c>), failover, the auth token in the <c>token</c> header
/// (re-authenticate once on an invalid/expired token), and gRPC failures mapped to typed exceptions.
/// </summary>
internal sealed class EtcdGrpcConnection : IDisposable
{
    private readonly KvStoreOptions _options;
    private readonly EtcdEndpoints _endpoints;
    private readonly ILogger _logger;
    private readonly HttpMessageHandler _handler;
    private readonly ConcurrentDictionary<Uri, GrpcChannel> _channels = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _token;
    private EtcdTokenRefusal? _refusal;

    public EtcdGrpcConnection(KvStoreOptions options, EtcdEndpoints endpoints, ILogger logger, HttpMessageHandler handler)
    {
        _options = options;
        _endpoints = endpoints;
        _logger = logger;
        _handler = handler;
    }

    public string Name => _endpoints.Name;

    public EtcdEndpoints Endpoints => _endpoints;

    public bool HasCredentials => !string.IsNullOrEmpty(_options.Username);

    public string? Username => _options.Username;

    public TimeSpan RequestTimeout => _options.RequestTimeout;

    public ILogger Logger => _logger;

    public void CorruptTokenForTest() => Volatile.Write(ref _token, "not-a-valid-token");

    /// <summary>The server refused <paramref name="token"/> during <paramref name="what"/>: forget it, so the next call authenticates again.</summary>
    public void InvalidateToken(string? token, string what, string reason)
    {
        if (HasCredentials && token is not null && Interlocked.CompareExchange(ref _token, null, token) == token)
        {
            Volatile.Write(ref _refusal, new EtcdTokenRefusal(what, reason));
        }
    }

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

    /// <summary>
    /// Makes one unary call, trying the endpoints in turn; a non-idempotent call moves on only when it surely
    /// never reached a server.
    /// </summary>
    public async Task<TResponse> CallAsync<TResponse>(string what, bool idempotent, Func<CallInvoker, CallOptions, AsyncUnaryCall<TResponse>> call, CancellationToken cancellationToken)
    {
        var endpoints = await _endpoints.GetAsync(cancellationToken).ConfigureAwait(false);
        int start = _endpoints.Current;
        var failures = new List<string>();
        for (int i = 0; i < endpoints.Length; i++)
        {
            int index = (start + i) % endpoints.Length;
            var endpoint = endpoints[index];
            bool reauthenticated = false;
            while (true)
            {
                string? token;
                try
                {
                    token = await EnsureTokenAsync(endpoint, cancellationToken).ConfigureAwait(false);
                }
                catch (RpcException ex) when (!cancellationToken.IsCancellationRequested && IsTransportFailure(ex, cancellationToken))
                {
                    // Only the authentication failed to get through: the call itself never left.
                    var reason = Describe(ex);
                    failures.Add($"{endpoint}: {reason}");
                    EtcdLog.EndpointFailed(_logger, endpoint, reason);
                    break;
                }

                try
                {
                    var options = new CallOptions(Headers(token), DateTime.UtcNow + _options.RequestTimeout, cancellationToken);
                    using var pending = call(Invoker(endpoint), options);
                    var answer = await AnswerAsync(pending, cancellationToken).ConfigureAwait(false);
                    _endpoints.Succeeded(endpoint, index);
                    return answer;
                }
                catch (RpcException ex) when (!cancellationToken.IsCancellationRequested && IsTransportFailure(ex, cancellationToken))
                {
                    var reason = Describe(ex);
                    bool timedOut = ex.StatusCode == StatusCode.DeadlineExceeded;
                    if (!idempotent && (timedOut || !NeverSent(ex)))
                    {
                        _endpoints.Health.Lost(reason);
                        throw new KvStoreUnavailableException(
                            timedOut
                                ? $"{Name}: {what} on {endpoint} timed out after {_options.RequestTimeout}; it may or may not have been applied."
                                : $"{Name}: {what} on {endpoint} failed after it was sent ({reason}); it may or may not have been applied.",
                            ex);
                    }

                    failures.Add($"{endpoint}: {(timedOut ? $"timed out after {_options.RequestTimeout}" : reason)}");
                    EtcdLog.EndpointFailed(_logger, endpoint, timedOut ? "timed out" : reason);
                    break;
                }
                catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    var error = ToError(ex);
                    if (HasCredentials && !reauthenticated && EtcdErrors.IsTokenProblem(error))
                    {
                        // Simple tokens expire when idle and vanish when a member restarts: get a new one, retry once.
                        reauthenticated = true;
                        InvalidateToken(token, what, error.Message);
                        continue;
                    }

                    if (EtcdErrors.IsUnavailable(error) && idempotent)
                    {
                        failures.Add($"{endpoint}: {error.Message}");
                        EtcdLog.EndpointFailed(_logger, endpoint, error.Message);
                        break;
                    }

                    // The server answered, if only to refuse: it is reachable.
                    _endpoints.Health.Connected();
                    throw ToException(what, error);
                }
            }

            // Later calls start at the next endpoint rather than at the one that just failed.
            _endpoints.MoveOn(index, endpoints.Length);
        }

        var message = $"{Name}: no endpoint could serve {what}: {string.Join("; ", failures)}";
        _endpoints.Health.Failed(message);
        throw new KvStoreUnavailableException(message);
    }

    /// <summary>True when <paramref name="endpoint"/> answers a trivial linearizable read within the request timeout.</summary>
    public async Task<bool> ProbeAsync(Uri endpoint, CancellationToken cancellationToken)
    {
        if (_endpoints.AnsweredRecently(endpoint))
        {
            return true;
        }

        try
        {
            // Linearizable on purpose: a member cut off from the leader still answers serializable reads.
            var request = new RangeRequest { Key = Google.Protobuf.ByteString.CopyFromUtf8("/"), Limit = 1, CountOnly = true };
            var options = new CallOptions(Headers(Volatile.Read(ref _token)), DateTime.UtcNow + _options.RequestTimeout, cancellationToken);
            using var probe = new KV.KVClient(Invoker(endpoint)).RangeAsync(request, options);
            await AnswerAsync(probe, cancellationToken).ConfigureAwait(false);
            _endpoints.Answered(endpoint);
            return true;
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            bool alive = !IsTransportFailure(ex, cancellationToken) && EtcdErrors.IsTokenProblem(ToError(ex));
            if (alive)
            {
                _endpoints.Answered(endpoint);
            }

            return alive;
        }
    }

    /// <summary>The token to send, authenticating first when there are credentials and no token yet ("" = auth is off).</summary>
    public async Task<string?> EnsureTokenAsync(Uri endpoint, CancellationToken cancellationToken)
    {
        if (!HasCredentials)
        {
            return null;
        }

        var token = Volatile.Read(ref _token);
        if (token is not null)
        {
            return token;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_token is not null)
            {
                return _token;
            }

            try
            {
                var request = new AuthenticateRequest { Name = _options.Username, Password = _options.Password ?? string.Empty };
                var options = new CallOptions(null, DateTime.UtcNow + _options.RequestTimeout, cancellationToken);
                using var call = new Auth.AuthClient(Invoker(endpoint)).AuthenticateAsync(request, options);
                var answer = await AnswerAsync(call, cancellationToken).ConfigureAwait(false);
                _token = answer.Token ?? string.Empty;
                if (Interlocked.Exchange(ref _refusal, null) is { } refusal)
                {
                    EtcdLog.TokenRenewed(_logger, _options.Username!, endpoint, refusal.What, refusal.Reason);
                }

                return _token;
            }
            catch (RpcException ex) when (!cancellationToken.IsCancellationRequested && !IsTransportFailure(ex, cancellationToken))
            {
                var error = ToError(ex);
                if (error.Message.Contains("authentication is not enabled", StringComparison.OrdinalIgnoreCase))
                {
                    _token = string.Empty;
                    return _token;
                }

                if (EtcdErrors.IsUnavailable(error))
                {
                    throw;
                }

                throw new KvAuthenticationException($"{Name}: authentication as '{_options.Username}' failed: {error.Message}");
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public KvStoreException ToException(string what, EtcdError error) => EtcdErrors.ToException(Name, _options.Username, what, error);

    /// <summary>
    /// True when the call failed on the way (connect, TLS, a broken connection, our deadline) rather than
    /// being refused by etcd: etcd's own refusals carry no client-side exception.
    /// </summary>
    public static bool IsTransportFailure(RpcException ex, CancellationToken cancellationToken) =>
        ex.Status.DebugException is not null
        || ex.StatusCode == StatusCode.DeadlineExceeded
        || (ex.StatusCode == StatusCode.Cancelled && !cancellationToken.IsCancellationRequested)
        || (ex.StatusCode == StatusCode.Unavailable && string.IsNullOrEmpty(ex.Status.Detail));

    public static EtcdError ToError(RpcException ex) => new((int)ex.StatusCode, string.IsNullOrEmpty(ex.Status.Detail) ? ex.StatusCode.ToString() : ex.Status.Detail);

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
        _gate.Dispose();
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

    private static bool NeverSent(RpcException ex) =>
        ex.Status.DebugException is HttpRequestException http && EtcdErrors.NeverSent(http);

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

using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tend.Core.Kv;

namespace Tend.Stores.Etcd.Gateway;

/// <summary>
/// The HTTP/1.1 side of etcd's JSON gateway: failover across the endpoints, the auth token
/// (re-authenticate once on an invalid/expired token), one request/answer or one streaming answer.
/// Knows nothing of keys, watches or leases.
/// </summary>
internal sealed class EtcdGatewayConnection : IDisposable
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly KvStoreOptions _options;
    private readonly EtcdEndpoints _endpoints;
    private readonly ILogger _logger;
    private readonly HttpClient _http;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _token;
    private EtcdTokenRefusal? _refusal;

    public EtcdGatewayConnection(KvStoreOptions options, EtcdEndpoints endpoints, ILogger logger, HttpMessageHandler handler)
    {
        _options = options;
        _endpoints = endpoints;
        _logger = logger;
        _http = new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public string Name => _endpoints.Name;

    public bool HasCredentials => !string.IsNullOrEmpty(_options.Username);

    /// <summary>Test seam: replaces the auth token, as if it had expired on the server.</summary>
    public void CorruptTokenForTest() => Volatile.Write(ref _token, "not-a-valid-token");

    /// <summary>The server refused <paramref name="token"/> during <paramref name="what"/>: forget it, so the next request authenticates again.</summary>
    public void InvalidateToken(string? token, string what, string reason)
    {
        if (HasCredentials && token is not null && Interlocked.CompareExchange(ref _token, null, token) == token)
        {
            Volatile.Write(ref _refusal, new EtcdTokenRefusal(what, reason));
        }
    }

    /// <summary>
    /// Posts <paramref name="body"/> to <paramref name="path"/> and returns the answer's bytes. Tries the
    /// endpoints in turn; a non-idempotent request moves on only when it surely never reached a server.
    /// </summary>
    public async Task<byte[]> CallAsync(string path, byte[] body, bool idempotent, CancellationToken cancellationToken)
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
                HttpStatusCode status;
                byte[] answer;
                try
                {
                    token = await EnsureTokenAsync(endpoint, cancellationToken).ConfigureAwait(false);
                    (status, answer) = await SendAsync(endpoint, path, body, token, cancellationToken).ConfigureAwait(false);
                }
                catch (HttpRequestException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    var reason = EtcdErrors.Describe(ex);
                    if (!idempotent && !EtcdErrors.NeverSent(ex))
                    {
                        _endpoints.Health.Lost(reason);
                        throw new KvStoreUnavailableException($"{Name}: {path} on {endpoint} failed after it was sent ({reason}); it may or may not have been applied.", ex);
                    }

                    failures.Add($"{endpoint}: {reason}");
                    EtcdLog.EndpointFailed(_logger, endpoint, reason);
                    break;
                }
                catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    if (!idempotent)
                    {
                        _endpoints.Health.Lost($"{path} on {endpoint} timed out after {_options.RequestTimeout}");
                        throw new KvStoreUnavailableException($"{Name}: {path} on {endpoint} timed out after {_options.RequestTimeout}; it may or may not have been applied.", ex);
                    }

                    failures.Add($"{endpoint}: timed out after {_options.RequestTimeout}");
                    EtcdLog.EndpointFailed(_logger, endpoint, "timed out");
                    break;
                }

                if (status == HttpStatusCode.OK)
                {
                    _endpoints.Succeeded(endpoint, index);
                    return answer;
                }

                var error = TryReadError(answer) ?? new EtcdError(-1, $"HTTP {(int)status} {status}");
                if (HasCredentials && !reauthenticated && EtcdErrors.IsTokenProblem(error))
                {
                    // Simple tokens expire when idle and vanish when a member restarts: get a new one, retry once.
                    reauthenticated = true;
                    InvalidateToken(token, path, error.Message);
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
                throw ToException(path, error);
            }

            // Later calls start at the next endpoint rather than at the one that just failed.
            _endpoints.MoveOn(index, endpoints.Length);
        }

        var message = $"{Name}: no endpoint could serve {path}: {string.Join("; ", failures)}";
        _endpoints.Health.Failed(message);
        throw new KvStoreUnavailableException(message);
    }

    /// <summary>Opens a streaming POST (watch) on the current endpoint; the caller reads and disposes the answer.</summary>
    public async Task<(HttpResponseMessage Response, Uri Endpoint, string? Token)> OpenStreamAsync(string path, byte[] body, CancellationToken cancellationToken)
    {
        var endpoint = await _endpoints.GetCurrentAsync(cancellationToken).ConfigureAwait(false);
        var token = await EnsureTokenAsync(endpoint, cancellationToken).ConfigureAwait(false);
        using var request = CreateRequest(endpoint, path, body, token);
        using var connect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connect.CancelAfter(_options.RequestTimeout);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, connect.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            EtcdLog.EndpointFailed(_logger, endpoint, EtcdErrors.Describe(ex));
            _endpoints.MarkFailed(endpoint);
            throw;
        }

        if (response.StatusCode != HttpStatusCode.OK)
        {
            using (response)
            {
                var answer = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                var error = TryReadError(answer) ?? new EtcdError(-1, $"HTTP {(int)response.StatusCode}");
                if (EtcdErrors.IsTokenProblem(error))
                {
                    InvalidateToken(token, "the watch", error.Message);
                    throw new EtcdTokenRefusedException($"{Name}: the watch was refused: {error.Message}");
                }

                throw ToException(path, error);
            }
        }

        return (response, endpoint, token);
    }

    /// <summary>True when <paramref name="endpoint"/> answers a trivial linearizable read within the request timeout.</summary>
    public async Task<bool> ProbeAsync(Uri endpoint, CancellationToken cancellationToken)
    {
        // Many quiet watches on one endpoint share the evidence: an answer within the last second will do.
        if (_endpoints.AnsweredRecently(endpoint))
        {
            return true;
        }

        try
        {
            // Linearizable on purpose: a member cut off from the leader still answers serializable reads and keeps
            // its watch streams open, silently, while the rest of the cluster moves on.
            var body = EtcdCodec.Range(new EtcdRangeRequest("/"u8.ToArray(), null, 1, 0, Serializable: false, CountOnly: true));
            var (status, answer) = await SendAsync(endpoint, "/v3/kv/range", body, Volatile.Read(ref _token), cancellationToken).ConfigureAwait(false);
            bool alive = status == HttpStatusCode.OK || (TryReadError(answer) is { } error && EtcdErrors.IsTokenProblem(error));
            if (alive)
            {
                _endpoints.Answered(endpoint);
            }

            return alive;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    public KvStoreException ToException(string path, EtcdError error) => EtcdErrors.ToException(Name, _options.Username, path, error);

    public void Dispose()
    {
        _http.Dispose();
        _gate.Dispose();
    }

    private static EtcdError? TryReadError(byte[] answer)
    {
        try
        {
            return EtcdCodec.ReadError(answer);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async Task<(HttpStatusCode Status, byte[] Answer)> SendAsync(Uri endpoint, string path, byte[] body, string? token, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        using var request = CreateRequest(endpoint, path, body, token);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
        var answer = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
        return (response.StatusCode, answer);
    }

    private static HttpRequestMessage CreateRequest(Uri endpoint, string path, byte[] body, string? token)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = Json;
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoint, path)) { Content = content, Version = HttpVersion.Version11 };
        if (!string.IsNullOrEmpty(token))
        {
            request.Headers.TryAddWithoutValidation("Authorization", token);
        }

        return request;
    }

    /// <summary>The token to send, authenticating first when there are credentials and no token yet ("" = auth is off).</summary>
    private async Task<string?> EnsureTokenAsync(Uri endpoint, CancellationToken cancellationToken)
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

            var body = EtcdCodec.Write(w =>
            {
                w.WriteString("name", _options.Username);
                w.WriteString("password", _options.Password ?? string.Empty);
            });
            var (status, answer) = await SendAsync(endpoint, "/v3/auth/authenticate", body, null, cancellationToken).ConfigureAwait(false);
            if (status == HttpStatusCode.OK)
            {
                _token = EtcdCodec.ReadToken(answer) ?? string.Empty;
                if (Interlocked.Exchange(ref _refusal, null) is { } refusal)
                {
                    EtcdLog.TokenRenewed(_logger, _options.Username!, endpoint, refusal.What, refusal.Reason);
                }

                return _token;
            }

            var error = TryReadError(answer) ?? new EtcdError(-1, $"HTTP {(int)status}");
            if (error.Message.Contains("authentication is not enabled", StringComparison.OrdinalIgnoreCase))
            {
                _token = string.Empty;
                return _token;
            }

            if (EtcdErrors.IsUnavailable(error))
            {
                throw new HttpRequestException(HttpRequestError.ConnectionError, $"authentication on {endpoint} failed: {error.Message}");
            }

            throw new KvAuthenticationException($"{Name}: authentication as '{_options.Username}' failed: {error.Message}");
        }
        finally
        {
            _gate.Release();
        }
    }
}

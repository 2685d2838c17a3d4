using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Tend.Core.Kv;

namespace Tend.Stores.Etcd.Gateway;

/// <summary>
/// The HTTP/1.1 side of etcd's JSON gateway: one request and its answer, or one streaming answer, with the auth
/// token in the <c>Authorization</c> header, and a failed request told apart (never sent, broken, timed out,
/// refused by etcd) for <see cref="EtcdCallPolicy"/>, which decides about failover, re-authentication and retries.
/// Knows nothing of keys, watches or leases.
/// </summary>
internal sealed class EtcdGatewayConnection : IEtcdAuthenticator, IDisposable
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly KvStoreOptions _options;
    private readonly HttpClient _http;

    public EtcdGatewayConnection(KvStoreOptions options, EtcdEndpoints endpoints, ILogger logger, HttpMessageHandler handler)
    {
        _options = options;
        _http = new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        Policy = new EtcdCallPolicy(options, endpoints, logger, this);
    }

    public EtcdCallPolicy Policy { get; }

    public string Name => Policy.Name;

    public bool HasCredentials => Policy.HasCredentials;

    /// <summary>The server refused <paramref name="token"/> during <paramref name="what"/>: forget it, so the next request authenticates again.</summary>
    public void InvalidateToken(string? token, string what, string reason) => Policy.InvalidateToken(token, what, reason);

    /// <summary>Posts <paramref name="body"/> to <paramref name="path"/> under the store's <see cref="EtcdCallPolicy"/>; the answer's bytes.</summary>
    public Task<byte[]> CallAsync(string what, string path, byte[] body, bool idempotent, CancellationToken cancellationToken) =>
        Policy.CallAsync(what, idempotent, (endpoint, token, ct) => AttemptAsync(endpoint, path, body, token, ct), cancellationToken);

    /// <summary>One POST to <paramref name="endpoint"/>; a failure as <see cref="EtcdAttemptException"/>.</summary>
    public async Task<byte[]> AttemptAsync(Uri endpoint, string path, byte[] body, string? token, CancellationToken cancellationToken)
    {
        HttpStatusCode status;
        byte[] answer;
        try
        {
            (status, answer) = await SendAsync(endpoint, path, body, token, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new EtcdAttemptException(EtcdErrors.NeverSent(ex) ? EtcdFailure.NotSent : EtcdFailure.Broken, EtcdErrors.Describe(ex), ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new EtcdAttemptException(EtcdFailure.TimedOut, "timed out", ex);
        }

        if (status != HttpStatusCode.OK)
        {
            throw new EtcdAttemptException(TryReadError(answer) ?? new EtcdError(StatusCode.Unknown, $"HTTP {(int)status} {status}"));
        }

        return answer;
    }

    /// <inheritdoc />
    public async Task<string> AuthenticateAsync(Uri endpoint, string username, string password, CancellationToken cancellationToken)
    {
        var answer = await AttemptAsync(endpoint, "/v3/auth/authenticate", EtcdGatewayCodec.Authenticate(username, password), null, cancellationToken).ConfigureAwait(false);
        return EtcdGatewayCodec.ReadToken(answer) ?? string.Empty;
    }

    /// <summary>Opens a streaming POST (watch) on the current endpoint; the caller reads and disposes the answer.</summary>
    public async Task<(HttpResponseMessage Response, Uri Endpoint, string? Token)> OpenStreamAsync(string path, byte[] body, CancellationToken cancellationToken)
    {
        var endpoint = await Policy.Endpoints.GetCurrentAsync(cancellationToken).ConfigureAwait(false);
        string? token;
        try
        {
            token = await Policy.TokenAsync(endpoint, cancellationToken).ConfigureAwait(false);
        }
        catch (EtcdAttemptException ex) when (!cancellationToken.IsCancellationRequested)
        {
            EtcdLog.EndpointFailed(Policy.Logger, endpoint, ex.Message);
            Policy.Endpoints.MarkFailed(endpoint);
            throw new KvStoreUnavailableException($"{Name}: {ex.Message}", ex);
        }

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
            EtcdLog.EndpointFailed(Policy.Logger, endpoint, EtcdErrors.Describe(ex));
            Policy.Endpoints.MarkFailed(endpoint);
            throw;
        }

        if (response.StatusCode != HttpStatusCode.OK)
        {
            using (response)
            {
                var answer = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                var error = TryReadError(answer) ?? new EtcdError(StatusCode.Unknown, $"HTTP {(int)response.StatusCode}");
                if (EtcdErrors.IsTokenProblem(error))
                {
                    InvalidateToken(token, "the watch", error.Message);
                    throw new EtcdTokenRefusedException($"{Name}: the watch was refused: {error.Message}");
                }

                throw Policy.ToException("watch", error);
            }
        }

        return (response, endpoint, token);
    }

    /// <summary>True when <paramref name="endpoint"/> answers a trivial linearizable read within the request timeout.</summary>
    public async Task<bool> ProbeAsync(Uri endpoint, CancellationToken cancellationToken)
    {
        // Many quiet watches on one endpoint share the evidence: an answer within the last second will do.
        if (Policy.Endpoints.AnsweredRecently(endpoint))
        {
            return true;
        }

        try
        {
            // Linearizable on purpose: a member cut off from the leader still answers serializable reads and keeps
            // its watch streams open, silently, while the rest of the cluster moves on.
            var body = EtcdGatewayCodec.Range(new EtcdRangeRequest("/"u8.ToArray(), null, 1, 0, Serializable: false, CountOnly: true));
            var (status, answer) = await SendAsync(endpoint, "/v3/kv/range", body, Policy.CurrentToken, cancellationToken).ConfigureAwait(false);
            bool alive = status == HttpStatusCode.OK || (TryReadError(answer) is { } error && EtcdErrors.IsTokenProblem(error));
            if (alive)
            {
                Policy.Endpoints.Answered(endpoint);
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

    public KvStoreException ToException(string what, EtcdError error) => Policy.ToException(what, error);

    public void Dispose()
    {
        _http.Dispose();
        Policy.Dispose();
    }

    private static EtcdError? TryReadError(byte[] answer)
    {
        try
        {
            return EtcdGatewayCodec.ReadError(answer);
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
}

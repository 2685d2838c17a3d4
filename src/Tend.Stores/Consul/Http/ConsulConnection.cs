using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Logging;
using Tend.Core.Kv;
using Tend.Stores.Dns;

namespace Tend.Stores.Consul.Http;

/// <summary>
/// The HTTP side of the Consul store: every request goes through here, which adds the ACL token (or HTTP basic
/// auth for a proxy), the datacenter and the consistency mode, tries the endpoints in turn, bounds each request
/// by the request timeout (plus the wait of a blocking query), and turns refusals into typed exceptions. It knows
/// nothing of keys, watches or sessions.
/// </summary>
internal sealed class ConsulConnection : IDisposable
{
    private readonly KvStoreOptions _options;
    private readonly ILogger _logger;
    private readonly HttpClient _http;
    private readonly string? _token;
    private readonly string _tokenOrigin;
    private readonly AuthenticationHeaderValue? _basic;
    private readonly ConnectionHealth _health = new();
    private int _warnedAnonymous;

    public ConsulConnection(KvStoreOptions options, ILogger logger, HttpMessageHandler handler, SrvResolver? srv, Func<string, string?> environment)
    {
        _options = options;
        _logger = logger;
        Endpoints = new ConsulEndpoints(options, logger, srv, environment);
        _http = new HttpClient(handler, disposeHandler: true) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        if (!string.IsNullOrEmpty(options.Token))
        {
            _token = options.Token;
            _tokenOrigin = options.TokenSource ?? "the store options";
        }
        else if (environment("CONSUL_HTTP_TOKEN") is { Length: > 0 } fromEnvironment)
        {
            _token = fromEnvironment;
            _tokenOrigin = "CONSUL_HTTP_TOKEN";
        }
        else
        {
            _tokenOrigin = string.Empty;
        }

        if (!string.IsNullOrEmpty(options.Username))
        {
            _basic = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.Username}:{options.Password}")));
        }
    }

    public ConsulEndpoints Endpoints { get; }

    public string Name => Endpoints.Name;

    /// <summary>
    /// Whether Consul answers: connected after any answer of an agent (a refusal is an answer), unreachable once a
    /// request found no endpoint that answered; a blocking query or a write cut off after it was sent only marks
    /// the connection lost until the next request decides.
    /// </summary>
    public KvStoreHealth Health => _health.Current;

    /// <summary>Where the ACL token came from, for messages (never the token); empty when there is none.</summary>
    public string TokenOrigin => _tokenOrigin;

    /// <summary>
    /// Sends <paramref name="request"/>, trying the endpoints in turn: a read (or any request that surely never
    /// reached a server) moves on after a connection failure, a timeout or a 5xx; a write that may have been
    /// applied does not, and says so. Returns 200, 404, 409 and 413 answers to the caller.
    /// </summary>
    public async Task<ConsulResponse> SendAsync(ConsulRequest request, CancellationToken cancellationToken)
    {
        var endpoints = request.Endpoint is { } pinned ? [pinned] : await Endpoints.GetAsync(cancellationToken).ConfigureAwait(false);
        int start = request.Endpoint is null ? Endpoints.Current : 0;
        var failures = new List<string>();
        bool unreachable = false;
        for (int i = 0; i < endpoints.Length; i++)
        {
            int index = (start + i) % endpoints.Length;
            var endpoint = endpoints[index];
            HttpStatusCode status;
            long consulIndex;
            byte[] body;
            try
            {
                (status, consulIndex, body) = await SendOnceAsync(endpoint, request, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException ex) when (!cancellationToken.IsCancellationRequested)
            {
                var reason = Describe(ex);
                if (!request.Idempotent && !NeverSent(ex))
                {
                    var message = $"{Name}: {request.What} on {endpoint} failed after it was sent ({reason}); it may or may not have been applied.";
                    _health.Lost(message);
                    throw new KvStoreUnavailableException(message, ex);
                }

                failures.Add($"{endpoint}: {reason}");
                unreachable |= NeverSent(ex);
                Failed(endpoint, reason, index, endpoints.Length, request);
                continue;
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                var timeout = RequestTimeout(request);
                if (!request.Idempotent)
                {
                    var message = $"{Name}: {request.What} on {endpoint} timed out after {timeout}; it may or may not have been applied.";
                    _health.Lost(message);
                    throw new KvStoreUnavailableException(message, ex);
                }

                failures.Add($"{endpoint}: timed out after {timeout}");
                unreachable = true;
                Failed(endpoint, "timed out", index, endpoints.Length, request);
                continue;
            }

            var response = new ConsulResponse(status, consulIndex, body, endpoint);
            if (status is < HttpStatusCode.InternalServerError and not HttpStatusCode.TooManyRequests || !IsUnavailable(response))
            {
                // Any answer but "cannot serve now" (no leader, servers unreachable, rate limited) shows the agent there.
                _health.Connected();
            }

            switch (status)
            {
                case HttpStatusCode.OK or HttpStatusCode.NotFound or HttpStatusCode.Conflict or HttpStatusCode.RequestEntityTooLarge:
                    if (request.Endpoint is null)
                    {
                        Endpoints.Succeeded(index);
                    }

                    return response;
                case HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized:
                    throw Refused(request, response);
                case var _ when request.ReturnErrors:
                    return response;
                case >= HttpStatusCode.InternalServerError or HttpStatusCode.TooManyRequests when request.Idempotent || IsUnavailable(response):
                    // No leader, an RPC to the servers failed, rate limited: another agent may do better, and the
                    // request was not applied (Consul answers 5xx for writes that did not reach Raft).
                    failures.Add($"{endpoint}: HTTP {(int)status} {response.Text}");
                    unreachable |= IsUnavailable(response);
                    Failed(endpoint, $"HTTP {(int)status} {response.Text}", index, endpoints.Length, request);
                    continue;
                default:
                    throw new KvStoreException($"{Name}: {request.What} was refused: HTTP {(int)status} {response.Text}");
            }
        }

        var unavailable = $"{Name}: no endpoint could serve {request.What}: {string.Join("; ", failures)}";
        if (unreachable && request.Endpoint is null)
        {
            _health.Failed(unavailable);
        }
        else
        {
            // Connections that broke after the request was sent (an agent restarting under a blocking query), or a
            // call pinned to one agent: the next attempt decides whether this is an outage.
            _health.Lost(unavailable);
        }

        throw new KvStoreUnavailableException(unavailable);
    }

    /// <summary>The exception for an ACL refusal: it says where the token came from, never the token itself.</summary>
    public KvAuthenticationException Refused(ConsulRequest request, ConsulResponse response)
    {
        var said = response.Text.Length > 0 ? response.Text : $"HTTP {(int)response.Status}";
        if (response.Status == HttpStatusCode.Unauthorized)
        {
            return new KvAuthenticationException($"{Name}: {request.What} was refused ({said}): check the user name and password of the HTTP proxy in front of Consul.");
        }

        var origin = _token is null
            ? "no ACL token was given (set [store] token, --token or CONSUL_HTTP_TOKEN)"
            : $"the ACL token from {_tokenOrigin} was used";
        return new KvAuthenticationException($"{Name}: {request.What} was refused by Consul's ACLs ({said}); {origin}.");
    }

    public void Dispose()
    {
        _http.Dispose();
        Endpoints.Dispose();
    }

    /// <summary>An exception chain as one line.</summary>
    public static string Describe(Exception ex)
    {
        var parts = new List<string>();
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (parts.Count == 0 || !parts[^1].Contains(e.Message, StringComparison.Ordinal))
            {
                parts.Add(e.Message);
            }
        }

        return string.Join(" → ", parts);
    }

    private static bool NeverSent(HttpRequestException ex) =>
        ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError;

    private static bool IsUnavailable(ConsulResponse response)
    {
        var text = response.Text;
        return response.Status is HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway
            || text.Contains("No cluster leader", StringComparison.OrdinalIgnoreCase)
            || text.Contains("No path to datacenter", StringComparison.OrdinalIgnoreCase)
            || text.Contains("rpc error", StringComparison.OrdinalIgnoreCase);
    }

    private void Failed(Uri endpoint, string reason, int index, int count, ConsulRequest request)
    {
        ConsulLog.EndpointFailed(_logger, endpoint, reason);
        if (request.Endpoint is null)
        {
            Endpoints.MoveOn(index, count);
        }
    }

    private TimeSpan RequestTimeout(ConsulRequest request) =>
        request.BlockingWait is { } wait ? wait + (wait / 16) + _options.RequestTimeout : _options.RequestTimeout;

    private async Task<(HttpStatusCode Status, long Index, byte[] Body)> SendOnceAsync(Uri endpoint, ConsulRequest request, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout(request));
        using var message = new HttpRequestMessage(request.Method, BuildUri(endpoint, request)) { Version = HttpVersion.Version11 };
        if (request.Body is not null)
        {
            message.Content = new ByteArrayContent(request.Body);
        }

        if (_token is not null)
        {
            message.Headers.TryAddWithoutValidation("X-Consul-Token", _token);
        }

        if (_basic is not null)
        {
            message.Headers.Authorization = _basic;
        }

        using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
        if (_token is null && response.Headers.TryGetValues("X-Consul-Default-Acl-Policy", out var policy)
            && policy.FirstOrDefault() == "deny" && Interlocked.Exchange(ref _warnedAnonymous, 1) == 0)
        {
            // Consul filters what a token may not read out of listings instead of refusing them.
            ConsulLog.AnonymousUnderDeny(_logger, endpoint);
        }

        long index = 0;
        if (response.Headers.TryGetValues("X-Consul-Index", out var values))
        {
            _ = long.TryParse(values.FirstOrDefault(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out index);
        }

        return (response.StatusCode, index, body);
    }

    private Uri BuildUri(Uri endpoint, ConsulRequest request)
    {
        var sb = new StringBuilder(request.Path);
        char separator = '?';
        void Add(string name, string? value)
        {
            sb.Append(separator).Append(name);
            if (value is not null)
            {
                sb.Append('=').Append(Uri.EscapeDataString(value));
            }

            separator = '&';
        }

        foreach (var (name, value) in request.Query)
        {
            Add(name, value);
        }

        if (request.UsesDatacenter && !string.IsNullOrEmpty(_options.Datacenter))
        {
            Add("dc", _options.Datacenter);
        }

        if (request.Consistent)
        {
            Add("consistent", null);
        }
        else if (request.IsRead && (_options.Consistency == "consistent" || (_options.Consistency == "stale" && !request.NotStale)))
        {
            Add(_options.Consistency, null);
        }

        return new Uri(endpoint, sb.ToString());
    }
}

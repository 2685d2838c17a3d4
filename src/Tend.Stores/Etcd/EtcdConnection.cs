using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tend.Core.Kv;
using Tend.Stores.Dns;

namespace Tend.Stores.Etcd;

/// <summary>
/// The HTTP side of the etcd gateway: endpoint list (static or from DNS SRV) with failover, TLS,
/// the auth token, and one request/answer or one streaming answer at a time. Knows nothing of
/// keys, watches or leases.
/// </summary>
internal sealed class EtcdConnection : IDisposable
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly KvStoreOptions _options;
    private readonly EtcdStoreSettings _settings;
    private readonly ILogger _logger;
    private readonly HttpClient _http;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly SrvResolver? _srv;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Uri, long> _lastAnswer = new();
    private Uri[]? _endpoints;
    private int _current;
    private string? _token;

    /// <param name="options">Endpoints, credentials, TLS, timeouts.</param>
    /// <param name="settings">etcd-specific knobs.</param>
    /// <param name="logger">Where to log.</param>
    /// <param name="srv">The SRV resolver (default: the system's name servers).</param>
    /// <param name="transport">Test seam: the HTTP handler to send through instead of sockets.</param>
    public EtcdConnection(KvStoreOptions options, EtcdStoreSettings settings, ILogger logger, SrvResolver? srv = null, HttpMessageHandler? transport = null)
    {
        _options = options;
        _settings = settings;
        _logger = logger;
        _srv = srv;
        _http = new HttpClient(transport ?? CreateHandler(), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        var shown = options.Endpoints.Count > 0
            ? string.Join(',', options.Endpoints)
            : options.SrvRecord ?? (options.SrvDomain is null ? "no endpoints" : "srv:" + options.SrvDomain);
        Name = $"etcd({shown})";
    }

    public string Name { get; }

    public bool HasCredentials => !string.IsNullOrEmpty(_options.Username);

    /// <summary>Test seam: replaces the auth token, as if it had expired on the server.</summary>
    internal void CorruptTokenForTest() => Volatile.Write(ref _token, "not-a-valid-token");

    /// <summary>Forgets the auth token so the next request authenticates again.</summary>
    public void InvalidateToken(string? token)
    {
        if (HasCredentials)
        {
            Interlocked.CompareExchange(ref _token, null, token);
        }
    }

    /// <summary>
    /// Posts <paramref name="body"/> to <paramref name="path"/> and returns the answer's bytes. Tries the
    /// endpoints in turn; a non-idempotent request moves on only when it surely never reached a server.
    /// </summary>
    public async Task<byte[]> CallAsync(string path, byte[] body, bool idempotent, CancellationToken cancellationToken)
    {
        var endpoints = await GetEndpointsAsync(cancellationToken).ConfigureAwait(false);
        int start = Volatile.Read(ref _current);
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
                    var reason = Describe(ex);
                    if (!idempotent && !NeverSent(ex))
                    {
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
                        throw new KvStoreUnavailableException($"{Name}: {path} on {endpoint} timed out after {_options.RequestTimeout}; it may or may not have been applied.", ex);
                    }

                    failures.Add($"{endpoint}: timed out after {_options.RequestTimeout}");
                    EtcdLog.EndpointFailed(_logger, endpoint, "timed out");
                    break;
                }

                if (status == HttpStatusCode.OK)
                {
                    _lastAnswer[endpoint] = Environment.TickCount64;
                    Volatile.Write(ref _current, index);
                    return answer;
                }

                var error = TryReadError(answer) ?? new EtcdError(-1, $"HTTP {(int)status} {status}");
                if (HasCredentials && !reauthenticated && IsTokenProblem(error))
                {
                    // Simple tokens expire when idle and vanish when a member restarts: get a new one, retry once.
                    reauthenticated = true;
                    EtcdLog.Reauthenticating(_logger, _options.Username!, error.Message);
                    InvalidateToken(token);
                    continue;
                }

                if (IsUnavailable(error) && idempotent)
                {
                    failures.Add($"{endpoint}: {error.Message}");
                    EtcdLog.EndpointFailed(_logger, endpoint, error.Message);
                    break;
                }

                throw ToException(path, error);
            }

            // Later calls start at the next endpoint rather than at the one that just failed.
            Interlocked.CompareExchange(ref _current, (index + 1) % endpoints.Length, index);
        }

        throw new KvStoreUnavailableException($"{Name}: no endpoint could serve {path}: {string.Join("; ", failures)}");
    }

    /// <summary>Opens a streaming POST (watch) on the current endpoint; the caller reads and disposes the answer.</summary>
    public async Task<(HttpResponseMessage Response, Uri Endpoint, string? Token)> OpenStreamAsync(string path, byte[] body, CancellationToken cancellationToken)
    {
        var endpoints = await GetEndpointsAsync(cancellationToken).ConfigureAwait(false);
        var endpoint = endpoints[Volatile.Read(ref _current) % endpoints.Length];
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
            EtcdLog.EndpointFailed(_logger, endpoint, Describe(ex));
            MarkFailed(endpoint);
            throw;
        }

        if (response.StatusCode != HttpStatusCode.OK)
        {
            using (response)
            {
                var answer = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                var error = TryReadError(answer) ?? new EtcdError(-1, $"HTTP {(int)response.StatusCode}");
                if (IsTokenProblem(error))
                {
                    InvalidateToken(token);
                }

                throw ToException(path, error);
            }
        }

        return (response, endpoint, token);
    }

    /// <summary>Moves the current endpoint past <paramref name="failed"/> (if no one did already).</summary>
    public void MarkFailed(Uri failed)
    {
        var endpoints = _endpoints;
        if (endpoints is null || endpoints.Length < 2)
        {
            return;
        }

        int current = Volatile.Read(ref _current);
        if (endpoints[current % endpoints.Length] == failed)
        {
            Interlocked.CompareExchange(ref _current, (current + 1) % endpoints.Length, current);
        }
    }

    /// <summary>True when <paramref name="endpoint"/> answers a trivial read within the request timeout.</summary>
    public async Task<bool> ProbeAsync(Uri endpoint, CancellationToken cancellationToken)
    {
        // Many quiet watches on one endpoint share the evidence: an answer within the last second will do.
        if (_lastAnswer.TryGetValue(endpoint, out var at) && Environment.TickCount64 - at < 1000)
        {
            return true;
        }

        try
        {
            // Linearizable on purpose: a member cut off from the leader still answers serializable reads and keeps
            // its watch streams open, silently, while the rest of the cluster moves on.
            var body = EtcdCodec.Range("/"u8.ToArray(), null, 1, 0, serializable: false, countOnly: true);
            var (status, answer) = await SendAsync(endpoint, "/v3/kv/range", body, Volatile.Read(ref _token), cancellationToken).ConfigureAwait(false);
            bool alive = status == HttpStatusCode.OK || (TryReadError(answer) is { } error && IsTokenProblem(error));
            if (alive)
            {
                _lastAnswer[endpoint] = Environment.TickCount64;
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

    public KvStoreException ToException(string path, EtcdError error)
    {
        var text = $"{Name}: {path} failed: {error.Message} (code {error.Code})";
        if (IsAuthProblem(error))
        {
            return new KvAuthenticationException(
                HasCredentials
                    ? $"{Name}: etcd refused user '{_options.Username}': {error.Message}"
                    : $"{Name}: etcd requires authentication ({error.Message}); set a user name and password");
        }

        if (IsUnavailable(error))
        {
            return new KvStoreUnavailableException(text);
        }

        return new EtcdServerException(text, error.Code, error.Message);
    }

    public static bool IsTokenProblem(EtcdError error) =>
        error.Message.Contains("invalid auth token", StringComparison.OrdinalIgnoreCase)
        || error.Message.Contains("user name is empty", StringComparison.OrdinalIgnoreCase)
        || error.Message.Contains("auth token", StringComparison.OrdinalIgnoreCase);

    public void Dispose()
    {
        _http.Dispose();
        _gate.Dispose();
    }

    private static bool IsAuthProblem(EtcdError error) =>
        error.Code is 7 or 16
        || error.Message.Contains("authentication failed", StringComparison.OrdinalIgnoreCase)
        || error.Message.Contains("permission denied", StringComparison.OrdinalIgnoreCase)
        || IsTokenProblem(error);

    // gRPC 14 (unavailable) covers "no leader", "leader changed", "request timed out"; 4 is a deadline.
    private static bool IsUnavailable(EtcdError error) =>
        error.Code is 14 or 4
        || error.Message.Contains("no leader", StringComparison.OrdinalIgnoreCase)
        || error.Message.Contains("leader changed", StringComparison.OrdinalIgnoreCase)
        || error.Message.Contains("request timed out", StringComparison.OrdinalIgnoreCase);

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

    private static bool NeverSent(HttpRequestException ex) =>
        ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError;

    private static string Describe(Exception ex)
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
                return _token;
            }

            var error = TryReadError(answer) ?? new EtcdError(-1, $"HTTP {(int)status}");
            if (error.Message.Contains("authentication is not enabled", StringComparison.OrdinalIgnoreCase))
            {
                _token = string.Empty;
                return _token;
            }

            if (IsUnavailable(error))
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

    private async Task<Uri[]> GetEndpointsAsync(CancellationToken cancellationToken)
    {
        var endpoints = Volatile.Read(ref _endpoints);
        if (endpoints is not null)
        {
            return endpoints;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_endpoints is not null)
            {
                return _endpoints;
            }

            var list = new List<Uri>();
            bool tls = _options.CaFile is not null || _options.CertFile is not null;
            foreach (var e in _options.Endpoints)
            {
                list.Add(ParseEndpoint(e, tls));
            }

            if (_options.SrvRecord is not null || _options.SrvDomain is not null)
            {
                list.AddRange(await DiscoverAsync(tls, cancellationToken).ConfigureAwait(false));
            }

            if (list.Count == 0)
            {
                throw new KvStoreException($"{Name}: no endpoints configured (set endpoints, an SRV domain or an SRV record).");
            }

            _endpoints = [.. list.Distinct()];
            return _endpoints;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<List<Uri>> DiscoverAsync(bool tls, CancellationToken cancellationToken)
    {
        var resolver = _srv ?? SrvResolver.FromSystem();
        var names = new List<(string Record, bool Secure)>();
        if (_options.SrvRecord is not null)
        {
            names.Add((_options.SrvRecord, tls || _options.SrvRecord.Contains("-ssl", StringComparison.OrdinalIgnoreCase)));
        }

        if (_options.SrvDomain is not null)
        {
            var domain = _options.SrvDomain.TrimEnd('.');
            names.Add(($"_etcd-client-ssl._tcp.{domain}", true));
            names.Add(($"_etcd-client._tcp.{domain}", false));
        }

        var found = new List<Uri>();
        var errors = new List<string>();
        foreach (var (record, secure) in names)
        {
            try
            {
                var answers = await resolver.ResolveAsync(record, cancellationToken).ConfigureAwait(false);
                var uris = answers.Select(a => new Uri($"{(secure ? "https" : "http")}://{a.Target.TrimEnd('.')}:{a.Port}")).ToList();
                if (uris.Count > 0)
                {
                    EtcdLog.SrvDiscovered(_logger, record, string.Join(',', uris));
                }

                found.AddRange(uris);
            }
            catch (SrvResolutionException ex)
            {
                errors.Add(ex.Message);
            }
        }

        if (found.Count == 0)
        {
            throw new KvStoreUnavailableException($"{Name}: DNS SRV discovery found no etcd endpoints: {string.Join("; ", errors.DefaultIfEmpty("no records"))}");
        }

        return found;
    }

    private static Uri ParseEndpoint(string endpoint, bool tls)
    {
        var text = endpoint.Contains("://", StringComparison.Ordinal) ? endpoint : (tls ? "https://" : "http://") + endpoint;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new KvStoreException($"etcd endpoint '{endpoint}' is not an http(s)://host:port URL.");
        }

        return new Uri(uri.GetLeftPart(UriPartial.Authority) + "/");
    }

    private SocketsHttpHandler CreateHandler()
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = _settings.ConnectTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
        };

        if (_options.CertFile is not null)
        {
            var cert = X509Certificate2.CreateFromPemFile(_options.CertFile, _options.KeyFile);
            handler.SslOptions.ClientCertificates = [cert];
        }

        if (_options.InsecureSkipVerify)
        {
            EtcdLog.InsecureTls(_logger);
            handler.SslOptions.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
        }
        else if (_options.CaFile is not null)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(_options.CaFile);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(roots);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
            };
        }

        return handler;
    }
}

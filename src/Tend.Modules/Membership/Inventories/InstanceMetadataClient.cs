using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Tend.Modules.Membership.Inventories;

/// <summary>
/// A small client of the EC2 instance-metadata service: IMDSv2 (a session token from <c>PUT
/// latest/api/token</c>, sent with every read), falling back to IMDSv1 when the token call is refused
/// (403, 404, 405), as the AWS SDKs do. The endpoint follows the SDKs' settings:
/// <c>AWS_EC2_METADATA_SERVICE_ENDPOINT</c>, else <c>AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE</c>
/// (<c>IPv4</c> → 169.254.169.254, <c>IPv6</c> → fd00:ec2::254); <c>AWS_EC2_METADATA_DISABLED=true</c> refuses.
/// </summary>
internal sealed class InstanceMetadataClient : IDisposable
{
    public const string DefaultEndpoint = "http://169.254.169.254/";
    public const string DefaultIPv6Endpoint = "http://[fd00:ec2::254]/";

    private const string TokenTtlHeader = "X-aws-ec2-metadata-token-ttl-seconds";
    private const string TokenHeader = "X-aws-ec2-metadata-token";
    private const int TokenTtlSeconds = 21600;
    private const int Attempts = 3;

    private readonly HttpClient _http;
    private readonly TimeSpan _timeout;
    private readonly string? _disabledReason;
    private string? _token;
    private DateTime _tokenExpires;
    private bool _v1;

    public InstanceMetadataClient(Uri endpoint, TimeSpan? timeout = null, HttpMessageHandler? handler = null, string? disabledReason = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        Endpoint = endpoint.AbsoluteUri.EndsWith('/') ? endpoint : new Uri(endpoint.AbsoluteUri + "/");
        _timeout = timeout ?? TimeSpan.FromSeconds(2);
        _disabledReason = disabledReason;

        // Never through an HTTP proxy: the service answers only on the instance's own link.
        _http = new HttpClient(handler ?? new SocketsHttpHandler { UseProxy = false, ConnectTimeout = _timeout }, disposeHandler: true)
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>The service's base URL.</summary>
    public Uri Endpoint { get; }

    /// <summary>A client for the endpoint the AWS settings in <paramref name="environment"/> name, or <paramref name="configured"/> when given.</summary>
    public static InstanceMetadataClient FromEnvironment(string? configured, Func<string, string?> environment, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        string? disabled = string.Equals(environment("AWS_EC2_METADATA_DISABLED")?.Trim(), "true", StringComparison.OrdinalIgnoreCase)
            ? "instance metadata is disabled (AWS_EC2_METADATA_DISABLED=true)"
            : null;
        var text = configured ?? environment("AWS_EC2_METADATA_SERVICE_ENDPOINT");
        if (string.IsNullOrWhiteSpace(text))
        {
            var mode = environment("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE")?.Trim();
            text = string.Equals(mode, "IPv6", StringComparison.OrdinalIgnoreCase) ? DefaultIPv6Endpoint : DefaultEndpoint;
        }

        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new MembershipInventoryException($"the instance-metadata endpoint '{text}' (AWS_EC2_METADATA_SERVICE_ENDPOINT) is not an http(s) URL.");
        }

        return new InstanceMetadataClient(uri, timeout, null, disabled);
    }

    /// <summary>This instance's id and region, from <c>latest/dynamic/instance-identity/document</c>.</summary>
    /// <exception cref="MembershipInventoryException">The service did not answer or answered nonsense.</exception>
    public async Task<InstanceIdentity> GetIdentityAsync(CancellationToken cancellationToken = default)
    {
        var document = await GetAsync("latest/dynamic/instance-identity/document", cancellationToken).ConfigureAwait(false);
        return ParseIdentity(document, Endpoint);
    }

    /// <summary>Reads one metadata path (e.g. <c>latest/meta-data/instance-id</c>).</summary>
    public async Task<string> GetAsync(string path, CancellationToken cancellationToken = default)
    {
        if (_disabledReason is not null)
        {
            throw new MembershipInventoryException(_disabledReason + "; the aws inventory needs it to know this instance (or use inventory static or dns).");
        }

        string? last = null;
        for (int attempt = 1; attempt <= Attempts; attempt++)
        {
            try
            {
                var token = await TokenAsync(cancellationToken).ConfigureAwait(false);
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Endpoint, path));
                if (token is not null)
                {
                    request.Headers.Add(TokenHeader, token);
                }

                using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.Unauthorized && token is not null)
                {
                    // The token expired or the service restarted: get a new one.
                    _token = null;
                    last = "401 Unauthorized (token expired)";
                    continue;
                }

                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    throw new MembershipInventoryException($"instance metadata at {Endpoint} has no {path} (404).");
                }

                if (!response.IsSuccessStatusCode)
                {
                    last = $"{(int)response.StatusCode} {response.ReasonPhrase} for {path}";
                    continue;
                }

                return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or TimeoutException)
            {
                last = ex.Message;
            }
        }

        throw new MembershipInventoryException(
            $"instance metadata at {Endpoint} did not answer ({last}); is this an EC2 instance? "
            + "Set AWS_EC2_METADATA_SERVICE_ENDPOINT to reach it elsewhere, or use inventory static or dns outside AWS.");
    }

    public void Dispose() => _http.Dispose();

    internal static InstanceIdentity ParseIdentity(string document, Uri endpoint)
    {
        string? id = null, region = null;
        try
        {
            var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(document));
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException("not a JSON object");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var property = reader.GetString();
                reader.Read();
                if (property == "instanceId" && reader.TokenType == JsonTokenType.String)
                {
                    id = reader.GetString();
                }
                else if (property == "region" && reader.TokenType == JsonTokenType.String)
                {
                    region = reader.GetString();
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        catch (JsonException ex)
        {
            throw new MembershipInventoryException($"instance metadata at {endpoint}: the instance-identity document is not JSON ({ex.Message}).", ex);
        }

        if (string.IsNullOrWhiteSpace(id) || string.IsNullOrWhiteSpace(region))
        {
            throw new MembershipInventoryException($"instance metadata at {endpoint}: the instance-identity document has no instanceId or region.");
        }

        return new InstanceIdentity(id, region);
    }

    private async Task<string?> TokenAsync(CancellationToken cancellationToken)
    {
        if (_v1)
        {
            return null;
        }

        if (_token is not null && DateTime.UtcNow < _tokenExpires)
        {
            return _token;
        }

        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(Endpoint, "latest/api/token"));
        request.Headers.Add(TokenTtlHeader, TokenTtlSeconds.ToString(CultureInfo.InvariantCulture));
        using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed)
        {
            // A service (or a proxy in front of it) without IMDSv2: plain reads.
            _v1 = true;
            return null;
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{(int)response.StatusCode} {response.ReasonPhrase} for the IMDSv2 token");
        }

        _token = (await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)).Trim();
        _tokenExpires = DateTime.UtcNow.AddSeconds(TokenTtlSeconds - 60);
        return _token;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        try
        {
            var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
            return response;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no answer within {_timeout.TotalSeconds:0.#} s");
        }
    }
}

using Microsoft.Extensions.Logging;
using Tend.Core.Kv;
using Tend.Stores.Dns;

namespace Tend.Stores.Consul.Http;

/// <summary>
/// The agents or servers one store talks to, in order: the configured URLs, else DNS SRV answers
/// (<c>_consul._tcp.DOMAIN</c>, resolved once on first use), else <c>CONSUL_HTTP_ADDR</c>, else the local agent
/// at <c>127.0.0.1:8500</c>; and which of them is current. Requests start at the current one and move on when it
/// fails, so a dead agent costs one failed connect, not one per request.
/// </summary>
internal sealed class ConsulEndpoints : IDisposable
{
    public const string DefaultAddress = "127.0.0.1:8500";

    private readonly KvStoreOptions _options;
    private readonly ILogger _logger;
    private readonly SrvResolver? _srv;
    private readonly Func<string, string?> _environment;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Uri[]? _endpoints;
    private int _current;

    public ConsulEndpoints(KvStoreOptions options, ILogger logger, SrvResolver? srv, Func<string, string?> environment)
    {
        _options = options;
        _logger = logger;
        _srv = srv;
        _environment = environment;
        string shown;
        if (options.Endpoints.Count > 0)
        {
            shown = EndpointText.Join(options.Endpoints);
        }
        else if (options.SrvRecord is not null || options.SrvDomain is not null)
        {
            shown = options.SrvRecord ?? "srv:" + options.SrvDomain;
        }
        else
        {
            shown = environment("CONSUL_HTTP_ADDR") is { Length: > 0 } addr ? EndpointText.Redact(addr) : DefaultAddress;
        }

        Name = $"consul({shown})";
    }

    /// <summary>How the store names itself in messages: <c>consul(url,url)</c>.</summary>
    public string Name { get; }

    /// <summary>The index of the endpoint requests start at.</summary>
    public int Current => Volatile.Read(ref _current);

    /// <summary>The endpoints, resolving SRV records on first use.</summary>
    public async Task<Uri[]> GetAsync(CancellationToken cancellationToken)
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

            bool tls = _options.CaFile is not null || _options.CertFile is not null
                || string.Equals(_environment("CONSUL_HTTP_SSL"), "true", StringComparison.OrdinalIgnoreCase)
                || _environment("CONSUL_HTTP_SSL") == "1";
            var list = _options.Endpoints.Select(e => Parse(e, tls)).ToList();
            if (list.Count == 0 && (_options.SrvRecord is not null || _options.SrvDomain is not null))
            {
                list.AddRange(await DiscoverAsync(tls, cancellationToken).ConfigureAwait(false));
            }

            if (list.Count == 0)
            {
                list.Add(Parse(_environment("CONSUL_HTTP_ADDR") is { Length: > 0 } addr ? addr : DefaultAddress, tls));
            }

            _endpoints = [.. list.Distinct()];
            return _endpoints;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Makes <paramref name="index"/> current after it served a request.</summary>
    public void Succeeded(int index) => Volatile.Write(ref _current, index);

    /// <summary>Moves on from endpoint <paramref name="index"/> (if no one did already), so later calls start at the next one.</summary>
    public void MoveOn(int index, int count) => Interlocked.CompareExchange(ref _current, (index + 1) % count, index);

    public void Dispose() => _gate.Dispose();

    /// <summary>An endpoint as written (<c>http(s)://host:port</c> or <c>host:port</c>) as a base URL.</summary>
    /// <exception cref="KvStoreException">It is not an http(s) address.</exception>
    public static Uri Parse(string endpoint, bool tls)
    {
        var text = endpoint.Contains("://", StringComparison.Ordinal) ? endpoint : (tls ? "https://" : "http://") + endpoint;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new KvStoreException($"consul endpoint '{EndpointText.Redact(endpoint)}' is not an http(s)://host:port address (unix sockets are not supported).");
        }

        // Requests never carry URL credentials; dropping them keeps them out of every message that names the endpoint.
        return new Uri($"{uri.Scheme}://{uri.Authority}/");
    }

    private async Task<List<Uri>> DiscoverAsync(bool tls, CancellationToken cancellationToken)
    {
        var resolver = _srv ?? SrvResolver.FromSystem();
        var record = _options.SrvRecord ?? $"_consul._tcp.{_options.SrvDomain!.TrimEnd('.')}";
        try
        {
            var answers = await resolver.ResolveAsync(record, cancellationToken).ConfigureAwait(false);
            var found = answers.Select(a => new Uri($"{(tls ? "https" : "http")}://{a.Target.TrimEnd('.')}:{a.Port}/")).ToList();
            if (found.Count == 0)
            {
                throw new KvStoreUnavailableException($"{Name}: DNS SRV record {record} has no targets.");
            }

            ConsulLog.SrvDiscovered(_logger, record, string.Join(',', found));
            return found;
        }
        catch (SrvResolutionException ex)
        {
            throw new KvStoreUnavailableException($"{Name}: DNS SRV discovery of {record} failed: {ex.Message}", ex);
        }
    }
}

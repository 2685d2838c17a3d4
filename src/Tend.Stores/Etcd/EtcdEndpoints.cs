using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Tend.Core.Kv;
using Tend.Stores.Dns;

namespace Tend.Stores.Etcd;

/// <summary>
/// The endpoint list of one store (static URLs, then DNS SRV answers, resolved once on first use), which
/// one is current, and when each last answered. Shared by both transports.
/// </summary>
internal sealed class EtcdEndpoints : IDisposable
{
    private readonly KvStoreOptions _options;
    private readonly ILogger _logger;
    private readonly SrvResolver? _srv;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentDictionary<Uri, long> _lastAnswer = new();
    private Uri[]? _endpoints;
    private int _current;

    public EtcdEndpoints(KvStoreOptions options, ILogger logger, SrvResolver? srv)
    {
        _options = options;
        _logger = logger;
        _srv = srv;
        var shown = options.Endpoints.Count > 0
            ? EndpointText.Join(options.Endpoints)
            : options.SrvRecord ?? (options.SrvDomain is null ? "no endpoints" : "srv:" + options.SrvDomain);
        Name = $"etcd({shown})";
    }

    /// <summary>How the store names itself in messages: <c>etcd(url,url)</c> or <c>etcd(srv:domain)</c>.</summary>
    public string Name { get; }

    /// <summary>Whether any endpoint answers: what <see cref="EtcdKvStore.Health"/> reports.</summary>
    public ConnectionHealth Health { get; } = new();

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

            var list = new List<Uri>();
            bool tls = _options.CaFile is not null || _options.CertFile is not null;
            foreach (var e in _options.Endpoints)
            {
                list.Add(Parse(e, tls));
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

    /// <summary>The current endpoint.</summary>
    public async Task<Uri> GetCurrentAsync(CancellationToken cancellationToken)
    {
        var endpoints = await GetAsync(cancellationToken).ConfigureAwait(false);
        return endpoints[Current % endpoints.Length];
    }

    /// <summary>Makes <paramref name="index"/> current after it served a request.</summary>
    public void Succeeded(Uri endpoint, int index)
    {
        _lastAnswer[endpoint] = Environment.TickCount64;
        Volatile.Write(ref _current, index);
        Health.Connected();
    }

    /// <summary>Notes that <paramref name="endpoint"/> answered something just now.</summary>
    public void Answered(Uri endpoint)
    {
        _lastAnswer[endpoint] = Environment.TickCount64;
        Health.Connected();
    }

    /// <summary>True when <paramref name="endpoint"/> answered within the last second.</summary>
    public bool AnsweredRecently(Uri endpoint) =>
        _lastAnswer.TryGetValue(endpoint, out var at) && Environment.TickCount64 - at < 1000;

    /// <summary>Moves on from endpoint <paramref name="index"/> (if no one did already), so later calls start at the next one.</summary>
    public void MoveOn(int index, int count) => Interlocked.CompareExchange(ref _current, (index + 1) % count, index);

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

    public void Dispose() => _gate.Dispose();

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

    private static Uri Parse(string endpoint, bool tls)
    {
        var text = endpoint.Contains("://", StringComparison.Ordinal) ? endpoint : (tls ? "https://" : "http://") + endpoint;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new KvStoreException($"etcd endpoint '{EndpointText.Redact(endpoint)}' is not an http(s)://host:port URL.");
        }

        // Requests never carry URL credentials; dropping them keeps them out of every message that names the endpoint.
        return new Uri($"{uri.Scheme}://{uri.Authority}/");
    }
}

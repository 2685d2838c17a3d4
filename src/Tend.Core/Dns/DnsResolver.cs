using System.Net;
using DnsClient;
using DnsClient.Protocol;

namespace Tend.Core.Dns;

/// <summary>
/// Tend's one DNS client, on DnsClient: the stores' SRV discovery and the templates' <c>lookupSRV</c> and
/// <c>lookupIP</c> go through it, so they agree. It asks the name servers in their configured order (UDP, again
/// over TCP when an answer was truncated), applies the search list and <c>ndots</c>, and caches answers for their
/// TTL. Address lookups take an IP literal as it is and consult the hosts file before DNS, as the C library does.
/// </summary>
public sealed class DnsResolver
{
    private const string SystemResolvConf = "/etc/resolv.conf";
    private const string SystemHosts = "/etc/hosts";

    // How often the system resolver looks whether resolv.conf changed (DHCP, a VPN, systemd-resolved).
    private const long RecheckMs = 5000;

    private static readonly Lazy<DnsResolver> SystemInstance = new(() => FromFiles(SystemResolvConf, SystemHosts));

    private readonly string? _resolvConf;
    private readonly HostsFile? _hosts;
    private State _state;

    /// <summary>A resolver that asks <paramref name="servers"/> in order, once each, with no search list and no hosts file.</summary>
    public DnsResolver(IReadOnlyList<IPEndPoint> servers, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(servers);
        if (servers.Count == 0)
        {
            throw new ArgumentException("A DNS resolver needs at least one name server.", nameof(servers));
        }

        _state = State.Create(new ResolvConf([.. servers], [], 1, timeout ?? TimeSpan.FromSeconds(2), 1), DateTime.MinValue);
    }

    /// <summary>A resolver with a parsed configuration (tests: a search list on a local server).</summary>
    internal DnsResolver(ResolvConf conf, string? hosts = null)
    {
        _hosts = hosts is null ? null : new HostsFile(hosts);
        _state = State.Create(conf, DateTime.MinValue);
    }

    private DnsResolver(string resolvConf, string? hosts)
    {
        _resolvConf = resolvConf;
        _hosts = hosts is null ? null : new HostsFile(hosts);
        _state = Load(resolvConf);
    }

    /// <summary>The system's resolver: <c>/etc/resolv.conf</c> (read again when it changes) and <c>/etc/hosts</c>.</summary>
    public static DnsResolver System => SystemInstance.Value;

    /// <summary>The name servers asked, in order.</summary>
    public IReadOnlyList<IPEndPoint> Servers => Current().Conf.Servers;

    /// <summary>A resolver configured by <paramref name="resolvConf"/> and, for addresses, the hosts file <paramref name="hosts"/>.</summary>
    public static DnsResolver FromFiles(string resolvConf, string? hosts = null) => new(resolvConf, hosts);

    /// <summary>The SRV records of <paramref name="name"/>, by priority, then heaviest weight first.</summary>
    /// <exception cref="DnsResolutionException">No server answered, or the name has no SRV records.</exception>
    public Task<IReadOnlyList<SrvRecord>> ResolveSrvAsync(string name, CancellationToken cancellationToken = default) =>
        SrvAsync(name, sync: false, cancellationToken);

    /// <summary>The blocking form of <see cref="ResolveSrvAsync"/>, for template functions.</summary>
    public IReadOnlyList<SrvRecord> ResolveSrv(string name) => SrvAsync(name, sync: true, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>The IPv4 then IPv6 addresses of <paramref name="host"/>.</summary>
    /// <exception cref="DnsResolutionException">No server answered, or the name has no addresses.</exception>
    public Task<IReadOnlyList<IPAddress>> ResolveAddressesAsync(string host, CancellationToken cancellationToken = default) =>
        AddressesAsync(host, sync: false, cancellationToken);

    /// <summary>The blocking form of <see cref="ResolveAddressesAsync"/>, for template functions.</summary>
    public IReadOnlyList<IPAddress> ResolveAddresses(string host) => AddressesAsync(host, sync: true, CancellationToken.None).GetAwaiter().GetResult();

    private async Task<IReadOnlyList<SrvRecord>> SrvAsync(string name, bool sync, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var state = Current();
        var problems = new List<string>();
        foreach (var candidate in state.Conf.Candidates(name))
        {
            var (response, problem) = await QueryAsync(state.Client, candidate, QueryType.SRV, sync, cancellationToken).ConfigureAwait(false);
            var records = response?.Answers.OfType<DnsClient.Protocol.SrvRecord>()
                .Select(r => new SrvRecord(r.Priority, r.Weight, r.Port, r.Target.Value.TrimEnd('.')))
                .OrderBy(r => r.Priority)
                .ThenByDescending(r => r.Weight)
                .ToList();
            if (records is { Count: > 0 })
            {
                return records;
            }

            problems.Add(Problem(name, candidate, problem ?? $"no SRV records (asked {response!.NameServer})"));
        }

        throw new DnsResolutionException($"SRV lookup of {name}: {string.Join("; ", problems)}.");
    }

    private async Task<IReadOnlyList<IPAddress>> AddressesAsync(string host, bool sync, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        if (IPAddress.TryParse(host, out var literal))
        {
            return [literal];
        }

        if (_hosts?.Lookup(host) is { Count: > 0 } listed)
        {
            return listed;
        }

        var state = Current();
        var problems = new List<string>();
        foreach (var candidate in state.Conf.Candidates(host))
        {
            var (v4, problem4) = await QueryAsync(state.Client, candidate, QueryType.A, sync, cancellationToken).ConfigureAwait(false);
            var (v6, problem6) = await QueryAsync(state.Client, candidate, QueryType.AAAA, sync, cancellationToken).ConfigureAwait(false);
            var addresses = new List<IPAddress>();
            addresses.AddRange(v4?.Answers.OfType<ARecord>().Select(r => r.Address) ?? []);
            addresses.AddRange(v6?.Answers.OfType<AaaaRecord>().Select(r => r.Address) ?? []);
            if (addresses.Count > 0)
            {
                return addresses;
            }

            problems.Add(Problem(host, candidate, problem4 ?? problem6 ?? $"no addresses (asked {v4!.NameServer})"));
        }

        throw new DnsResolutionException($"address lookup of {host}: {string.Join("; ", problems)}.");
    }

    /// <summary>One question; the answer, or null and what went wrong (the name does not exist, a server error, no answer).</summary>
    private static async Task<(IDnsQueryResponse? Response, string? Problem)> QueryAsync(LookupClient client, string name, QueryType type, bool sync, CancellationToken cancellationToken)
    {
        IDnsQueryResponse response;
        try
        {
            response = sync
                ? client.Query(name, type)
                : await client.QueryAsync(name, type, QueryClass.IN, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not ArgumentException)
        {
            // Timeouts, refused connections, answers that do not parse or carry another query's id, after every
            // server was asked: DnsClient reports these with types of its own (not all of them public).
            return (null, $"no answer ({ex.Message})");
        }

        if (!response.HasError)
        {
            return (response, null);
        }

        return response.Header.ResponseCode == DnsHeaderResponseCode.NotExistentDomain
            ? (null, $"the name does not exist (asked {response.NameServer})")
            : (null, $"{response.ErrorMessage} (asked {response.NameServer})");
    }

    private static string Problem(string name, string candidate, string problem) =>
        string.Equals(name.TrimEnd('.'), candidate, StringComparison.OrdinalIgnoreCase) ? problem : $"{candidate}: {problem}";

    private static State Load(string path)
    {
        DateTime written;
        ResolvConf conf;
        try
        {
            written = File.GetLastWriteTimeUtc(path);
            conf = ResolvConf.Parse(File.Exists(path) ? File.ReadLines(path) : []);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            written = DateTime.MinValue;
            conf = ResolvConf.Parse([]);
        }

        return State.Create(conf, written);
    }

    private State Current()
    {
        var state = Volatile.Read(ref _state);
        if (_resolvConf is null || Environment.TickCount64 - state.CheckedAt < RecheckMs)
        {
            return state;
        }

        // Racing callers may both read the file; either result is current, and the state is swapped whole.
        var written = File.Exists(_resolvConf) ? File.GetLastWriteTimeUtc(_resolvConf) : DateTime.MinValue;
        state = written == state.Written ? state with { CheckedAt = Environment.TickCount64 } : Load(_resolvConf);
        Volatile.Write(ref _state, state);
        return state;
    }

    /// <summary>One configuration and the client built from it.</summary>
    private sealed record State(ResolvConf Conf, LookupClient Client, DateTime Written, long CheckedAt)
    {
        public static State Create(ResolvConf conf, DateTime written)
        {
            var options = new LookupClientOptions([.. conf.Servers])
            {
                UseCache = true,
                UseTcpFallback = true,
                UseRandomNameServer = false,
                Timeout = conf.Timeout,
                Retries = conf.Attempts - 1,
                ThrowDnsErrors = false,
                ContinueOnDnsError = true,
                ContinueOnEmptyResponse = true,
            };
            return new State(conf, new LookupClient(options), written, Environment.TickCount64);
        }
    }
}

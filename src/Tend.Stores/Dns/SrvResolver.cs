using System.Net;
using Tend.Core.Dns;

namespace Tend.Stores.Dns;

/// <summary>
/// SRV discovery for the stores (etcd's <c>_etcd-client._tcp</c> records and the like), through Tend's one DNS
/// client (<see cref="DnsResolver"/>): records by priority, then heaviest weight first.
/// </summary>
public sealed class SrvResolver
{
    private readonly DnsResolver _dns;

    /// <summary>A resolver that asks <paramref name="servers"/> in order.</summary>
    public SrvResolver(IReadOnlyList<IPEndPoint> servers, TimeSpan? timeout = null)
        : this(new DnsResolver(servers, timeout))
    {
    }

    private SrvResolver(DnsResolver dns)
    {
        _dns = dns;
    }

    /// <summary>The system's resolver (resolv.conf's name servers and search list).</summary>
    public static SrvResolver FromSystem() => new(DnsResolver.System);

    /// <summary>Resolves the SRV records of <paramref name="name"/> (e.g. <c>_etcd-client._tcp.example.com</c>).</summary>
    /// <exception cref="SrvResolutionException">No server answered, or the name has no SRV records.</exception>
    public async Task<IReadOnlyList<SrvRecord>> ResolveAsync(string name, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _dns.ResolveSrvAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (DnsResolutionException ex)
        {
            throw new SrvResolutionException(ex.Message, ex);
        }
    }
}

using System.Net;
using Tend.Core.Dns;
using Tend.Templates;

namespace Tend.Modules.Render;

/// <summary>
/// The templates' <c>lookupIP</c> and <c>lookupSRV</c> on Tend's one DNS client (<see cref="DnsResolver"/>),
/// in the shapes Go's net package gives them: addresses as text, SRV targets with the trailing dot.
/// A lookup that fails is an empty list, as confd's functions make it.
/// </summary>
public sealed class DnsTemplateResolver : ITemplateDnsResolver
{
    private readonly DnsResolver _dns;

    /// <summary>Lookups through <paramref name="dns"/>.</summary>
    public DnsTemplateResolver(DnsResolver dns)
    {
        ArgumentNullException.ThrowIfNull(dns);
        _dns = dns;
    }

    /// <summary>Lookups through the system's resolver (resolv.conf, the hosts file).</summary>
    public static DnsTemplateResolver System { get; } = new(DnsResolver.System);

    /// <inheritdoc />
    public IReadOnlyList<string> LookupIP(string host)
    {
        if (string.IsNullOrWhiteSpace(host))
        {
            return [];
        }

        try
        {
            return [.. _dns.ResolveAddresses(host).Select(Text)];
        }
        catch (DnsResolutionException)
        {
            return [];
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<Templates.SrvRecord> LookupSrv(string service, string proto, string name)
    {
        // Go's net.LookupSRV: "_service._proto.name", or name itself when both are empty.
        var query = service.Length == 0 && proto.Length == 0 ? name : $"_{service}._{proto}.{name}";
        if (string.IsNullOrWhiteSpace(query))
        {
            return [];
        }

        try
        {
            return [.. _dns.ResolveSrv(query).Select(r => new Templates.SrvRecord(r.Target + ".", r.Port, r.Priority, r.Weight))];
        }
        catch (DnsResolutionException)
        {
            return [];
        }
    }

    /// <summary>Go's net.IP String form: an IPv4-mapped IPv6 address prints as IPv4.</summary>
    private static string Text(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4().ToString() : address.ToString();
}

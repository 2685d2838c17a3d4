namespace Tend.Templates;

/// <summary>DNS lookups behind confd's lookupIP/lookupIPV4/lookupIPV6/lookupSRV (replaceable in tests).</summary>
public interface ITemplateDnsResolver
{
    /// <summary>Addresses of a host as text (Go's net.IP String form); empty when the lookup fails.</summary>
    IReadOnlyList<string> LookupIP(string host);

    /// <summary>SRV records for <c>_service._proto.name</c> (or <c>name</c> when service and proto are empty); empty on failure.</summary>
    IReadOnlyList<SrvRecord> LookupSrv(string service, string proto, string name);
}

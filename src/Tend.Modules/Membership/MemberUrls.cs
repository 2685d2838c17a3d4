using System.Globalization;
using Tend.Modules.Membership.Inventories;

namespace Tend.Modules.Membership;

/// <summary>How a machine's peer and client URLs are written: the configured schemes and ports around its host.</summary>
internal sealed record MemberUrls(string ClientScheme, int ClientPort, string PeerScheme, int PeerPort)
{
    public static MemberUrls From(MembershipOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new MemberUrls(options.ClientScheme, options.ClientPort, options.PeerScheme, options.PeerPort);
    }

    /// <summary>The peer URL of <paramref name="member"/> (which must have a host).</summary>
    public string Peer(InventoryMember member)
    {
        ArgumentNullException.ThrowIfNull(member);
        return Url(PeerScheme, member.Host!, member.PeerPort ?? PeerPort);
    }

    /// <summary>The client URL of <paramref name="member"/> (which must have a host).</summary>
    public string Client(InventoryMember member)
    {
        ArgumentNullException.ThrowIfNull(member);
        return Url(ClientScheme, member.Host!, ClientPort);
    }

    /// <summary>True when <paramref name="a"/> and <paramref name="b"/> name the same scheme, host and port (host case and a trailing slash aside).</summary>
    public static bool Same(string a, string b)
    {
        if (string.Equals(a, b, StringComparison.Ordinal))
        {
            return true;
        }

        return Uri.TryCreate(a, UriKind.Absolute, out var x) && Uri.TryCreate(b, UriKind.Absolute, out var y)
            && string.Equals(x.Scheme, y.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(x.IdnHost, y.IdnHost, StringComparison.OrdinalIgnoreCase)
            && x.Port == y.Port;
    }

    private static string Url(string scheme, string host, int port)
    {
        // An IPv6 literal goes in brackets.
        var h = host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host;
        return string.Create(CultureInfo.InvariantCulture, $"{scheme}://{h}:{port}");
    }
}

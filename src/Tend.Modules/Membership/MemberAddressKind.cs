namespace Tend.Modules.Membership;

/// <summary>How a member's peer and client URLs name its machine.</summary>
public enum MemberAddressKind
{
    /// <summary>The private DNS name (etcd-discovery's <c>-private-hostnames</c>, the default).</summary>
    Hostname,

    /// <summary>The private IP address (etcd-discovery's <c>-private-addresses</c>).</summary>
    Ip,
}

namespace Tend.Modules.Membership;

/// <summary>Where the membership module learns which machines should be etcd members.</summary>
public enum MembershipInventoryKind
{
    /// <summary>An AWS auto-scaling group (etcd-discovery's source): EC2 instance metadata and <c>DescribeInstances</c>.</summary>
    Aws,

    /// <summary>A fixed list in tend.toml.</summary>
    Static,

    /// <summary>DNS SRV records, as etcd's own <c>--discovery-srv</c> reads them.</summary>
    Dns,
}

using Tend.Core.Files;

namespace Tend.Modules.Membership;

/// <summary>
/// The membership module's settings: <c>[membership]</c> in tend.toml, or etcd-discovery's command line
/// (<c>tend membership</c>). Immutable; a reload swaps the whole record.
/// </summary>
public sealed record MembershipOptions
{
    /// <summary>The default <see cref="Interval"/>: 30 seconds.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(30);

    /// <summary>Where the member list comes from.</summary>
    public MembershipInventoryKind Inventory { get; init; } = MembershipInventoryKind.Aws;

    /// <summary>The environment file etcd's unit reads (<c>-environment-file</c>); required.</summary>
    public string EnvironmentFile { get; init; } = string.Empty;

    /// <summary>The environment file's mode: 0444 as etcd-discovery wrote it, unless configured.</summary>
    public UnixFileMode FileMode { get; init; } = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Time between passes when run as a module under <c>tend run</c>.</summary>
    public TimeSpan Interval { get; init; } = DefaultInterval;

    /// <summary>The port etcd serves clients on (<c>-etcd-client-port</c>).</summary>
    public int ClientPort { get; init; } = 2379;

    /// <summary><c>http</c> or <c>https</c> for client URLs (<c>-etcd-client-schema</c>).</summary>
    public string ClientScheme { get; init; } = "https";

    /// <summary>The port etcd talks to its peers on (<c>-etcd-peer-port</c>); a DNS SRV record's port wins.</summary>
    public int PeerPort { get; init; } = 2380;

    /// <summary><c>http</c> or <c>https</c> for peer URLs (<c>-etcd-peer-scheme</c>).</summary>
    public string PeerScheme { get; init; } = "https";

    /// <summary>Name members by private DNS name (the default) or by private IP address.</summary>
    public MemberAddressKind Address { get; init; } = MemberAddressKind.Hostname;

    /// <summary>
    /// This machine only consumes the cluster (<c>-proxy-mode</c>): the environment file says
    /// <c>ETCD_PROXY=on</c> and lists the members' client URLs; membership is never changed.
    /// </summary>
    public bool ProxyMode { get; init; }

    /// <summary>Join as a non-voting learner first and be promoted once caught up (etcd 3.4+); off: join as a voting member at once.</summary>
    public bool Learner { get; init; } = true;

    /// <summary>How long one etcd request or health probe may take.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// When no member answers (a cluster about to be bootstrapped), how long the inventory must stay the same
    /// before <c>new</c> is written, so machines started together agree on one member list. Zero: no wait.
    /// </summary>
    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>aws: the auto-scaling group (<c>-scaling-group-name</c>); default: this instance's own group.</summary>
    public string? ScalingGroupName { get; init; }

    /// <summary>aws: the region; default: <c>AWS_REGION</c>, the profile, then the instance's own.</summary>
    public string? Region { get; init; }

    /// <summary>static and dns: this machine's member name; default: the host name (dns: the fully qualified one).</summary>
    public string? Name { get; init; }

    /// <summary>static: the machines that should be members.</summary>
    public IReadOnlyList<StaticMember> Members { get; init; } = [];

    /// <summary>dns: the domain whose <c>_etcd-server(-ssl)._tcp</c> SRV records list the members.</summary>
    public string? Domain { get; init; }

    /// <summary>CA bundle (PEM) for the members' client TLS; default: the system's.</summary>
    public string? CaFile { get; init; }

    /// <summary>Client certificate (PEM) for members that require one.</summary>
    public string? CertFile { get; init; }

    /// <summary>Client key (PEM).</summary>
    public string? KeyFile { get; init; }

    /// <summary>etcd user for clusters with authentication on.</summary>
    public string? Username { get; init; }

    /// <summary>Its password.</summary>
    public string? Password { get; init; }

    /// <summary>The mode the environment file is written with.</summary>
    internal FileOwnership Ownership => new(FileMode);
}

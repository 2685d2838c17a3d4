namespace Tend.Modules.Register;

/// <summary>The register module's configuration.</summary>
public sealed record RegisterOptions
{
    /// <summary>The services, in file order.</summary>
    public IReadOnlyList<RegisterServiceOptions> Services { get; init; } = [];

    /// <summary>Wait this long after deregistering everything on SIGTERM before exiting, so clients move away first.</summary>
    public TimeSpan Drain { get; init; } = TimeSpan.Zero;

    /// <summary>TTL of etcd leases (ZooKeeper uses its session timeout).</summary>
    public TimeSpan Ttl { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Digest-auth user from zk_watcher's <c>[auth]</c> section.</summary>
    public string? AuthUser { get; init; }

    /// <summary>Digest-auth password from zk_watcher's <c>[auth]</c> section.</summary>
    public string? AuthPassword { get; init; }
}

namespace Tend.Modules.Health;

/// <summary>The <c>[health]</c> section: this host's identity, the checks run under <c>tend run</c>, and how triggers run.</summary>
public sealed record HealthOptions
{
    /// <summary>The environment (<c>@ENV</c>, the second segment of every key); derived from the host name when not set.</summary>
    public string? Environment { get; init; }

    /// <summary>The server role (<c>@ROLE</c>, e.g. <c>webserver</c>); derived from the host name when not set.</summary>
    public string? Role { get; init; }

    /// <summary>This node's name (<c>@HOST</c>, the node in active_nodes/standby_nodes and in health keys); default: the host name.</summary>
    public string? Hostname { get; init; }

    /// <summary>This node's datacenter (for active_datacenters/standby_datacenters); derived from the host name when the pattern has a datacenter group.</summary>
    public string? Datacenter { get; init; }

    /// <summary>A regular expression with named groups <c>environment</c>, <c>role</c> and optionally <c>datacenter</c>, matched against the host name.</summary>
    public string HostnamePattern { get; init; } = DefaultHostnamePattern;

    /// <summary>How long a published health entry outlives a dead agent (etcd lease TTL; ZooKeeper uses the session timeout).</summary>
    public TimeSpan Ttl { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a trigger may run before it is killed.</summary>
    public TimeSpan TriggerTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A trigger fires at most once per this interval (a flapping check does not fire it on every change).</summary>
    public TimeSpan FlapInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether a check that returns to passing runs the <c>passing</c> trigger (an extension; powerconsul knew warning and critical only).</summary>
    public bool TriggerOnPassing { get; init; } = true;

    /// <summary>The check_procs plugin; default: the first of the usual locations that exists, else the native scan.</summary>
    public string? CheckProcs { get; init; }

    /// <summary>
    /// Where <c>tend watch</c> remembers which checks it already fired for, so a Consul watch that hands it
    /// the whole list again does not run a trigger twice; default <c>/var/lib/tend/watch</c> when it can be
    /// written, else the user's state directory.
    /// </summary>
    public string? WatchStateDirectory { get; init; }

    /// <summary>The checks run continuously under <c>tend run</c>.</summary>
    public IReadOnlyList<HealthCheckOptions> Checks { get; init; } = [];

    /// <summary>The default <see cref="HostnamePattern"/>: <c>production-webserver1</c> gives environment <c>production</c> and role <c>webserver</c>.</summary>
    public const string DefaultHostnamePattern = @"^(?<environment>[^-.]+)-(?<role>[^.]*?)-?[0-9]*(\..*)?$";
}

namespace Tend.Modules.Health;

/// <summary>One health check: a <c>[[health.check]]</c> table, or the arguments of <c>tend check</c>.</summary>
public sealed record HealthCheckOptions
{
    /// <summary>The service the check stands for (powerconsul's <c>-S</c>, the Consul service): names the cluster, trigger and health keys. <c>null</c> on the command line: a plain check without a role.</summary>
    public string? Service { get; init; }

    /// <summary>What the check looks at.</summary>
    public HealthCheckKind Kind { get; init; }

    /// <summary>The system service of a service check (<c>-s</c>, e.g. <c>apache2</c>).</summary>
    public string? LinuxService { get; init; }

    /// <summary>The crontab's user (<c>-u</c>).</summary>
    public string? User { get; init; }

    /// <summary>Text an active crontab line must contain (<c>-p</c>).</summary>
    public string? Pattern { get; init; }

    /// <summary>check_procs' arguments (<c>-n</c>), split into words.</summary>
    public IReadOnlyList<string> ProcessArguments { get; init; } = [];

    /// <summary>The shell command of a command check.</summary>
    public string? Command { get; init; }

    /// <summary>The host of a tcp check.</summary>
    public string TcpHost { get; init; } = "127.0.0.1";

    /// <summary>The port of a tcp check.</summary>
    public int Port { get; init; }

    /// <summary>The URL of an http check.</summary>
    public string? HttpUrl { get; init; }

    /// <summary>Text the http answer's body must contain.</summary>
    public string? HttpExpect { get; init; }

    /// <summary>Time between two runs under <c>tend run</c>.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long one run may take.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// With the Consul store: keep the service in the local agent's catalog with a TTL check that follows
    /// this check's results (<c>catalog = true</c>, per check or for all in <c>[health]</c>).
    /// </summary>
    public bool Catalog { get; init; }

    /// <summary>The table's line in tend.toml (0 on the command line).</summary>
    public int Line { get; init; }

    /// <summary>What the check looks at, for logs and status: <c>service apache2</c>, <c>process -C nginx</c>.</summary>
    public string Describe() => Kind switch
    {
        HealthCheckKind.Service => $"service {LinuxService}",
        HealthCheckKind.Crontab => Pattern is null ? $"crontab of {User}" : $"crontab of {User} containing \"{Pattern}\"",
        HealthCheckKind.Process => $"process {string.Join(' ', ProcessArguments)}",
        HealthCheckKind.Command => $"command {Command}",
        HealthCheckKind.Tcp => $"tcp {TcpHost}:{Port}",
        _ => $"http {HttpUrl}",
    };
}

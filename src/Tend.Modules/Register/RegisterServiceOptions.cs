using System.Text.Json.Nodes;

namespace Tend.Modules.Register;

/// <summary>One service to keep registered while its health check passes (a zk_watcher section, or a <c>[[register.service]]</c> table).</summary>
public sealed record RegisterServiceOptions
{
    /// <summary>The section name (for logs and status).</summary>
    public required string Name { get; init; }

    /// <summary>How the health check runs.</summary>
    public RegisterCheckKind Check { get; init; } = RegisterCheckKind.Command;

    /// <summary>The shell command of a command check (exit 0 = healthy), run with <c>/bin/sh -c</c>.</summary>
    public string? Command { get; init; }

    /// <summary>The URL of an http check.</summary>
    public string? HttpUrl { get; init; }

    /// <summary>A substring the http check's body must contain.</summary>
    public string? HttpExpect { get; init; }

    /// <summary>The host a tcp check connects to (default 127.0.0.1); the port is <see cref="Port"/>.</summary>
    public string TcpHost { get; init; } = "127.0.0.1";

    /// <summary>Interval between checks (zk_watcher's <c>refresh</c>).</summary>
    public TimeSpan Refresh { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Timeout of one check (zk_watcher used 90 s).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>The service port (part of the registered name).</summary>
    public required int Port { get; init; }

    /// <summary>The parent path of the registration (zk_watcher's <c>zookeeper_path</c>).</summary>
    public required string Path { get; init; }

    /// <summary>Extra fields merged into the registration's JSON (zk_watcher's <c>zookeeper_data</c>).</summary>
    public IReadOnlyList<KeyValuePair<string, JsonNode?>> Data { get; init; } = [];

    /// <summary>The host name in the registered name (default: this host's FQDN).</summary>
    public string? Hostname { get; init; }

    /// <summary>Consecutive passing checks before registering (default 1).</summary>
    public int Rise { get; init; } = 1;

    /// <summary>Consecutive failing checks before deregistering (default 1: at once).</summary>
    public int Fall { get; init; } = 1;

    /// <summary>
    /// With the Consul store: also register the service in the local agent's catalog, with a TTL check that
    /// follows this service's check results (passing, warning while failing below <see cref="Fall"/>, critical).
    /// </summary>
    public bool Catalog { get; init; }

    /// <summary>Tags of the catalog registration.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The line of the section in its file, for messages.</summary>
    public int Line { get; init; }
}

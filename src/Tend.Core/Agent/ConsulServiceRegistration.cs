namespace Tend.Core.Agent;

/// <summary>A service registered in the local agent with one TTL check that its owner keeps updating.</summary>
public sealed record ConsulServiceRegistration
{
    /// <summary>The service id, unique on the agent.</summary>
    public required string Id { get; init; }

    /// <summary>The service name (what DNS and health queries use).</summary>
    public required string Name { get; init; }

    /// <summary>The service address; null or empty means the node's address.</summary>
    public string? Address { get; init; }

    /// <summary>The service port.</summary>
    public int Port { get; init; }

    /// <summary>Tags.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Metadata (string values).</summary>
    public IReadOnlyDictionary<string, string> Meta { get; init; } = new Dictionary<string, string>();

    /// <summary>The TTL check's id.</summary>
    public required string CheckId { get; init; }

    /// <summary>The TTL check's name.</summary>
    public string? CheckName { get; init; }

    /// <summary>How long the check stays in its status without an update before it turns critical.</summary>
    public TimeSpan CheckTtl { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The status the check starts in.</summary>
    public ConsulCheckStatus InitialStatus { get; init; } = ConsulCheckStatus.Critical;

    /// <summary>The check's first output.</summary>
    public string? InitialOutput { get; init; }

    /// <summary>The agent removes the service after its check was critical this long (at least one minute); null = never.</summary>
    public TimeSpan? DeregisterCriticalAfter { get; init; }
}

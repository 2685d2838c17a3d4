namespace Tend.Modules.Health;

/// <summary>One continuous check's state, for <c>/status</c> and <c>/metrics</c>.</summary>
public sealed record HealthCheckStatus
{
    /// <summary>The service.</summary>
    public required string Service { get; init; }

    /// <summary>What the check looks at.</summary>
    public required string Check { get; init; }

    /// <summary>The state for the node's role; <c>null</c> before the first run.</summary>
    public string? State { get; init; }

    /// <summary>The check's output line.</summary>
    public string? Output { get; init; }

    /// <summary>The cluster role.</summary>
    public string? Role { get; init; }

    /// <summary>When the state last changed.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>When the check last ran.</summary>
    public DateTimeOffset? LastCheck { get; init; }

    /// <summary>Runs so far.</summary>
    public long Checks { get; init; }

    /// <summary>State changes so far.</summary>
    public long Changes { get; init; }

    /// <summary>The published key, while the entry is in the store.</summary>
    public string? PublishedKey { get; init; }

    /// <summary>The last error publishing the entry, kept after a success.</summary>
    public string? LastPublishError { get; init; }

    /// <summary>With <c>catalog = true</c>: the agent's TTL check id while the agent has it, else <c>null</c>.</summary>
    public string? AgentCheck { get; init; }

    /// <summary>With <c>catalog = true</c>: the last error talking to the agent, <c>null</c> after a success.</summary>
    public string? AgentError { get; init; }
}

namespace Tend.Core.Agent;

/// <summary>
/// Where and how a catalog or health read asks: another datacenter, a node to sort by distance from, and for a
/// blocking query the index already seen and how long the agent may hold the answer until it changes.
/// </summary>
public sealed record ConsulBlockingQuery
{
    /// <summary>A plain read in the store's datacenter.</summary>
    public static ConsulBlockingQuery Now { get; } = new();

    /// <summary>The datacenter to read (<c>?dc=</c>); null: the store's configured one, else the agent's.</summary>
    public string? Datacenter { get; init; }

    /// <summary>Sort the answer by round-trip time from this node (<c>?near=</c>); null: Consul's order.</summary>
    public string? Near { get; init; }

    /// <summary>The index of the last answer (<c>?index=</c>); 0 answers at once.</summary>
    public long Index { get; init; }

    /// <summary>How long the agent may wait for a change past <see cref="Index"/> (<c>?wait=</c>).</summary>
    public TimeSpan Wait { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Read from the leader with <c>?consistent</c>, whatever the store's consistency mode.</summary>
    public bool Consistent { get; init; }
}

namespace Tend.Modules.Membership;

/// <summary>The membership module's state for <c>/status</c> and <c>/metrics</c>.</summary>
public sealed record MembershipStatus
{
    /// <summary>The inventory and what it reads.</summary>
    public string Inventory { get; init; } = string.Empty;

    public string EnvironmentFile { get; init; } = string.Empty;

    public bool ProxyMode { get; init; }

    /// <summary>This machine's member name, once the inventory was read.</summary>
    public string? Self { get; init; }

    /// <summary><c>new</c> or <c>existing</c> as last written or decided.</summary>
    public string? State { get; init; }

    public SelfMembership SelfMembership { get; init; }

    public int Candidates { get; init; }

    public int Members { get; init; }

    public int Learners { get; init; }

    public int Healthy { get; init; }

    /// <summary>Changes due but not made, with reasons (quorum, no address yet, a learner catching up).</summary>
    public IReadOnlyList<string> Withheld { get; init; } = [];

    public DateTimeOffset? LastPass { get; init; }

    public string? LastError { get; init; }

    public long Passes { get; init; }

    public long Failures { get; init; }

    public long Removals { get; init; }

    public long Additions { get; init; }

    public long Promotions { get; init; }

    public long EnvironmentWrites { get; init; }

    public DateTimeOffset? LastEnvironmentWrite { get; init; }
}

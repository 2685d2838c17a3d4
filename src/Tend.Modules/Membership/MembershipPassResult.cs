namespace Tend.Modules.Membership;

/// <summary>What one membership pass found and did.</summary>
public sealed record MembershipPassResult
{
    public MembershipOutcome Outcome { get; init; }

    /// <summary><c>new</c>, <c>existing</c>, or <c>null</c> when the pass stopped before it knew.</summary>
    public string? State { get; init; }

    public SelfMembership Self { get; init; }

    /// <summary>What failed, when <see cref="Outcome"/> is <see cref="MembershipOutcome.Failed"/>.</summary>
    public string? Error { get; init; }

    /// <summary>True when the failure was reading the inventory, before the cluster was asked anything.</summary>
    public bool InventoryFailed { get; init; }

    /// <summary>Changes that are due but were not made, each with the reason.</summary>
    public IReadOnlyList<string> Withheld { get; init; } = [];

    public int Candidates { get; init; }

    public int Members { get; init; }

    public int Learners { get; init; }

    public int Healthy { get; init; }

    public int Removed { get; init; }

    public int Added { get; init; }

    public int Promoted { get; init; }

    /// <summary>True when the environment file was (re)written.</summary>
    public bool EnvironmentWritten { get; init; }
}

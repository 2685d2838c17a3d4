using Tend.Modules.Membership.Inventories;

namespace Tend.Modules.Membership;

/// <summary>Everything a plan is made from; nothing else (no clock, no I/O), so tests can state any situation.</summary>
internal sealed record ReconcileInput
{
    public required MemberUrls Urls { get; init; }

    public required InventorySnapshot Inventory { get; init; }

    /// <summary>The cluster as a member reported it, or <c>null</c> when no candidate answered (no cluster yet).</summary>
    public ClusterView? Cluster { get; init; }

    public bool ProxyMode { get; init; }

    /// <summary>Join as a learner first (etcd 3.4+).</summary>
    public bool Learner { get; init; } = true;

    /// <summary>Learners etcd refused to promote in this pass (not caught up yet); not tried again until the next pass.</summary>
    public IReadOnlySet<ulong> PromotionRefused { get; init; } = new HashSet<ulong>();
}

using Tend.Stores.Etcd;

namespace Tend.Modules.Membership;

/// <summary>The cluster as one member reported it, with which members passed the health probe.</summary>
/// <param name="Members">The member list.</param>
/// <param name="Healthy">Ids of the healthy members.</param>
internal sealed record ClusterView(IReadOnlyList<EtcdMember> Members, IReadOnlySet<ulong> Healthy)
{
    public IEnumerable<EtcdMember> Voters => Members.Where(m => !m.IsLearner);

    public bool IsHealthy(EtcdMember member) => Healthy.Contains(member.Id);

    /// <summary>Votes needed for a decision among <paramref name="voters"/> voting members.</summary>
    public static int Quorum(int voters) => (voters / 2) + 1;
}

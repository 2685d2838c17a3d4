using Tend.Stores.Etcd;

namespace Tend.Modules.Membership.Cluster;

/// <summary>
/// The etcd calls one membership pass makes, each on a named member's client URL and bounded by the
/// module's timeout. Mutations throw the store's exceptions (<see cref="EtcdServerException"/> carries etcd's code).
/// </summary>
internal interface IMembershipCluster : IAsyncDisposable
{
    /// <summary>Asks every URL for the member list at once; one answer per URL, in order.</summary>
    Task<IReadOnlyList<ClusterAnswer>> ListAsync(IReadOnlyList<string> clientUrls, CancellationToken cancellationToken = default);

    /// <summary>
    /// The members that are healthy: a voting member answers a linearizable read (so it reaches a leader that
    /// has quorum, as <c>etcdctl endpoint health</c> asks); a learner answers at all.
    /// </summary>
    Task<IReadOnlySet<ulong>> HealthyAsync(IReadOnlyList<EtcdMember> members, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<EtcdMember>> MembersAsync(string clientUrl, CancellationToken cancellationToken = default);

    Task<EtcdMember> AddAsync(string clientUrl, IReadOnlyList<string> peerUrls, bool learner, CancellationToken cancellationToken = default);

    Task RemoveAsync(string clientUrl, ulong id, CancellationToken cancellationToken = default);

    Task PromoteAsync(string clientUrl, ulong id, CancellationToken cancellationToken = default);

    /// <summary>Closes connections to URLs the pass that just ended did not use (members come and go).</summary>
    ValueTask EndPassAsync();
}

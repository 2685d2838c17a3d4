namespace Tend.Stores.Etcd;

/// <summary>A member of the etcd cluster.</summary>
/// <param name="Id">The member id.</param>
/// <param name="Name">The member name (empty for a member added but not started yet).</param>
/// <param name="PeerUrls">The URLs the member talks to its peers on.</param>
/// <param name="ClientUrls">The URLs clients reach the member on (empty until it started).</param>
/// <param name="IsLearner">True for a non-voting learner.</param>
internal sealed record EtcdMember(ulong Id, string Name, IReadOnlyList<string> PeerUrls, IReadOnlyList<string> ClientUrls, bool IsLearner);

using Tend.Stores.Etcd;

namespace Tend.Modules.Membership.Cluster;

/// <summary>What one client URL said when asked for the member list.</summary>
/// <param name="ClientUrl">The URL asked.</param>
/// <param name="Members">The members it listed, or <c>null</c> when it did not answer.</param>
/// <param name="Error">Why it did not answer.</param>
internal sealed record ClusterAnswer(string ClientUrl, IReadOnlyList<EtcdMember>? Members, string? Error);

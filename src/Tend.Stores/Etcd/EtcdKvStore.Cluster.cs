namespace Tend.Stores.Etcd;

/// <summary>Cluster membership (etcd's Cluster service): internal until a module uses it (the cluster tests do).</summary>
public sealed partial class EtcdKvStore
{
    /// <summary>The members of the cluster.</summary>
    internal Task<IReadOnlyList<EtcdMember>> MemberListAsync(CancellationToken cancellationToken = default) =>
        Live().MemberListAsync(cancellationToken);

    /// <summary>Adds a member that will listen for peers on <paramref name="peerUrls"/>; returns it (with its new id).</summary>
    internal async Task<EtcdMember> MemberAddAsync(IReadOnlyList<string> peerUrls, bool isLearner = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(peerUrls);
        if (peerUrls.Count == 0)
        {
            throw new ArgumentException("A member needs at least one peer URL.", nameof(peerUrls));
        }

        return await Live().MemberAddAsync(peerUrls, isLearner, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes the member <paramref name="id"/> from the cluster.</summary>
    internal Task MemberRemoveAsync(ulong id, CancellationToken cancellationToken = default) =>
        Live().MemberRemoveAsync(id, cancellationToken);
}

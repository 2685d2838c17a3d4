namespace Tend.Stores.Etcd;

/// <summary>Cluster membership (etcd's Cluster service), used by the membership module.</summary>
public sealed partial class EtcdKvStore
{
    /// <summary>The members of the cluster.</summary>
    public Task<IReadOnlyList<EtcdMember>> MemberListAsync(CancellationToken cancellationToken = default) =>
        Live().MemberListAsync(cancellationToken);

    /// <summary>Adds a member that will listen for peers on <paramref name="peerUrls"/>; returns it (with its new id).</summary>
    public async Task<EtcdMember> MemberAddAsync(IReadOnlyList<string> peerUrls, bool isLearner = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(peerUrls);
        if (peerUrls.Count == 0)
        {
            throw new ArgumentException("A member needs at least one peer URL.", nameof(peerUrls));
        }

        return await Live().MemberAddAsync(peerUrls, isLearner, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes the member <paramref name="id"/> from the cluster.</summary>
    public Task MemberRemoveAsync(ulong id, CancellationToken cancellationToken = default) =>
        Live().MemberRemoveAsync(id, cancellationToken);

    /// <summary>
    /// Promotes learner <paramref name="id"/> to a voting member (etcd 3.4 and later). etcd refuses with
    /// <c>FailedPrecondition</c> (code 9, "can only promote a learner member which is in sync with leader")
    /// until the learner has caught up; an older server answers <c>Unimplemented</c> (code 12).
    /// </summary>
    public Task MemberPromoteAsync(ulong id, CancellationToken cancellationToken = default) =>
        Live().MemberPromoteAsync(id, cancellationToken);
}

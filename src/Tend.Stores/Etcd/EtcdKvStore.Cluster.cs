using System.Globalization;

namespace Tend.Stores.Etcd;

/// <summary>Cluster membership (etcd's <c>/v3/cluster/member/*</c>).</summary>
public sealed partial class EtcdKvStore
{
    /// <summary>The members of the cluster.</summary>
    public async Task<IReadOnlyList<EtcdMember>> MemberListAsync(CancellationToken cancellationToken = default)
    {
        var answer = await CallAsync("/v3/cluster/member/list", EtcdCodec.Write(static _ => { }), idempotent: true, cancellationToken).ConfigureAwait(false);
        return EtcdCodec.ReadMembers(answer).Members;
    }

    /// <summary>Adds a member that will listen for peers on <paramref name="peerUrls"/>; returns it (with its new id).</summary>
    public async Task<EtcdMember> MemberAddAsync(IReadOnlyList<string> peerUrls, bool isLearner = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(peerUrls);
        if (peerUrls.Count == 0)
        {
            throw new ArgumentException("A member needs at least one peer URL.", nameof(peerUrls));
        }

        var body = EtcdCodec.Write(w =>
        {
            w.WriteStartArray("peerURLs");
            foreach (var u in peerUrls)
            {
                w.WriteStringValue(u);
            }

            w.WriteEndArray();
            if (isLearner)
            {
                w.WriteBoolean("isLearner", true);
            }
        });
        var answer = await CallAsync("/v3/cluster/member/add", body, idempotent: false, cancellationToken).ConfigureAwait(false);
        return EtcdCodec.ReadMembers(answer).Added
            ?? throw new EtcdServerException($"{Name}: member add answered without the new member.");
    }

    /// <summary>Removes the member <paramref name="id"/> from the cluster.</summary>
    public async Task MemberRemoveAsync(ulong id, CancellationToken cancellationToken = default)
    {
        var body = EtcdCodec.Write(w => w.WriteString("ID", id.ToString(CultureInfo.InvariantCulture)));
        await CallAsync("/v3/cluster/member/remove", body, idempotent: false, cancellationToken).ConfigureAwait(false);
    }
}

using Tend.Core.Kv;

namespace Tend.Core.Mirror;

/// <summary>
/// A mirror's snapshot and how long it has held: the keys under the prefix were exactly <see cref="Snapshot"/>
/// at every store revision from <see cref="ChangedAt"/> through <c>Snapshot.Revision</c>. Views of several
/// prefixes describe one moment of the store when those ranges overlap (see <see cref="KvConsistentRead"/>).
/// </summary>
/// <param name="Snapshot">The keys, at the newest revision the mirror has seen everything up to.</param>
/// <param name="ChangedAt">The revision of the last change to a value under the prefix (or the load that produced it, when that is all that is known).</param>
public sealed record KvMirrorView(KvSnapshot Snapshot, long ChangedAt)
{
    /// <summary>This view after a catch-up answer (a progress notification or a resync); unchanged when the answer is not newer.</summary>
    internal KvMirrorView Advance(KvChangeBatch batch)
    {
        if (batch.Revision <= Snapshot.Revision)
        {
            return this;
        }

        if (!batch.IsResync)
        {
            return new KvMirrorView(Snapshot.Apply([], batch.Revision), ChangedAt);
        }

        var fresh = batch.Resync!;
        return new KvMirrorView(fresh, Snapshot.ContentEquals(fresh) ? ChangedAt : fresh.Revision);
    }
}

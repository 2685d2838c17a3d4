namespace Tend.Core.Kv;

/// <summary>The parts of <see cref="IKvStore.CatchUpAsync"/> every store shares: comparing what a watcher holds with what the store holds.</summary>
public static class KvCatchUp
{
    /// <summary>Lists <c>known.Prefix</c> and compares it with <paramref name="known"/>: the default catch-up.</summary>
    public static async Task<KvChangeBatch> ByListingAsync(IKvStore store, KvSnapshot known, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(known);
        var now = await store.ListAsync(known.Prefix, cancellationToken).ConfigureAwait(false);
        return Compare(known, now);
    }

    /// <summary>
    /// A progress notification at <c>now.Revision</c> when <paramref name="now"/> holds exactly what
    /// <paramref name="known"/> holds (keys, values and, with <paramref name="compareRevisions"/>, the revisions
    /// that wrote them), else a resync to <paramref name="now"/>.
    /// </summary>
    public static KvChangeBatch Compare(KvSnapshot known, KvSnapshot now, bool compareRevisions = true)
    {
        ArgumentNullException.ThrowIfNull(known);
        ArgumentNullException.ThrowIfNull(now);
        if (known.Count != now.Count)
        {
            return KvChangeBatch.FromResync(now);
        }

        for (int i = 0; i < known.Count; i++)
        {
            var a = known[i];
            var b = now[i];
            if (!string.Equals(a.Key, b.Key, StringComparison.Ordinal)
                || !string.Equals(a.Value, b.Value, StringComparison.Ordinal)
                || (compareRevisions && a.ModRevision != b.ModRevision))
            {
                return KvChangeBatch.FromResync(now);
            }
        }

        return KvChangeBatch.Progress(now.Revision);
    }
}

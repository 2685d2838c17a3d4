using Tend.Core.Kv;

namespace Tend.Core.Mirror;

/// <summary>
/// Reads several prefixes as of one store revision. Each prefix has a watch of its own, and the watches
/// deliver one transaction that touches two prefixes at two moments; a reader that took both snapshots in
/// between would mix old and new values. A set of snapshots is consistent when the ranges of revisions at
/// which each held (<see cref="KvMirrorView"/>) overlap; until they do, the snapshots that lag behind the
/// newest change are caught up with the store (<see cref="IKvStore.CatchUpAsync"/>), which also moves a
/// quiet prefix, whose watch has nothing to say, on to the store's current revision.
/// </summary>
public static class KvConsistentRead
{
    /// <summary>How many rounds of catching up before giving up (each round brings every lagging prefix up to the store's revision).</summary>
    public const int MaxRounds = 10;

    /// <summary>The mirrors' snapshots, all describing the store at one revision.</summary>
    /// <exception cref="KvStoreUnavailableException">A lagging prefix could not be caught up: the store is unreachable.</exception>
    /// <exception cref="KvStoreException">The prefixes kept changing for <see cref="MaxRounds"/> rounds.</exception>
    public static async Task<IReadOnlyList<KvSnapshot>> FromMirrorsAsync(IReadOnlyList<KvMirror> mirrors, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(mirrors);
        if (mirrors.Count < 2)
        {
            return mirrors.Count == 0 ? [] : [mirrors[0].Current];
        }

        var views = mirrors.Select(m => m.View).ToArray();
        return await AlignAsync(
            views,
            async (i, revision) =>
            {
                await mirrors[i].CatchUpAsync(revision, cancellationToken).ConfigureAwait(false);
                return mirrors[i].View;
            },
            () => mirrors.Select(m => m.View).ToArray(),
            mirrors.Select(m => m.Prefix).ToArray()).ConfigureAwait(false);
    }

    /// <summary>Lists <paramref name="prefixes"/> from <paramref name="store"/>, all as of one revision.</summary>
    /// <exception cref="KvStoreUnavailableException">The store could not be reached.</exception>
    /// <exception cref="KvStoreException">The prefixes kept changing for <see cref="MaxRounds"/> rounds.</exception>
    public static async Task<IReadOnlyList<KvSnapshot>> FromStoreAsync(IKvStore store, IReadOnlyList<string> prefixes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(prefixes);
        var views = new KvMirrorView[prefixes.Count];
        for (int i = 0; i < prefixes.Count; i++)
        {
            // A listing says nothing of when its keys last changed: assume it was at the listing's revision.
            var snapshot = await store.ListAsync(prefixes[i], cancellationToken).ConfigureAwait(false);
            views[i] = new KvMirrorView(snapshot, snapshot.Revision);
        }

        if (views.Length < 2)
        {
            return [.. views.Select(v => v.Snapshot)];
        }

        return await AlignAsync(
            views,
            async (i, _) => views[i].Advance(await store.CatchUpAsync(views[i].Snapshot, cancellationToken).ConfigureAwait(false)),
            () => views,
            prefixes).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<KvSnapshot>> AlignAsync(KvMirrorView[] views, Func<int, long, Task<KvMirrorView>> catchUp, Func<KvMirrorView[]> reread, IReadOnlyList<string> prefixes)
    {
        for (int round = 0; ; round++)
        {
            long changedAt = views.Max(v => v.ChangedAt);
            var lagging = Enumerable.Range(0, views.Length).Where(i => views[i].Snapshot.Revision < changedAt).ToArray();
            if (lagging.Length == 0)
            {
                return [.. views.Select(v => v.Snapshot)];
            }

            if (round == MaxRounds)
            {
                throw new KvStoreException($"no revision common to the keys under {string.Join(", ", prefixes)} was found after {MaxRounds} attempts: they kept changing, or the store answered from a replica that is behind");
            }

            var caughtUp = await Task.WhenAll(lagging.Select(i => catchUp(i, changedAt))).ConfigureAwait(false);
            for (int k = 0; k < lagging.Length; k++)
            {
                views[lagging[k]] = caughtUp[k];
            }

            // Mirrors move on by themselves meanwhile: take each one's latest view, never an older one.
            var latest = reread();
            for (int i = 0; i < views.Length; i++)
            {
                if (latest[i].Snapshot.Revision > views[i].Snapshot.Revision)
                {
                    views[i] = latest[i];
                }
            }
        }
    }
}

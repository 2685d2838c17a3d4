using Tend.Core.Kv;

namespace Tend.Stores.Consul.Watch;

/// <summary>
/// Turns two states of a prefix (what a watch knew at index R, what a blocking query returned at index N) and
/// this store's own writes in (R, N] into the ordered changes between them. Own writes are replayed exactly
/// (value and index); whatever they do not explain is someone else's change: a key whose modify index moved is
/// a put at that index, a key that is gone is a delete at N (its tombstone's index is at most N). Changes are
/// ordered by index, own writes first among equals. Intermediate values of foreign writes between two answers
/// are not seen; the final state always is.
/// </summary>
internal static class StateDiff
{
    /// <summary>The changes from <paramref name="known"/> to <paramref name="observed"/>, or null when the two cannot be reconciled (a resync is needed).</summary>
    /// <param name="known">The state at index <see cref="KvSnapshot.Revision"/> R, pairs carrying their modify index.</param>
    /// <param name="own">This store's writes with R &lt; index ≤ N under the prefix, in index order.</param>
    /// <param name="observed">The state at index N.</param>
    public static List<KvChange>? Compute(KvSnapshot known, IReadOnlyList<OwnWrite> own, KvSnapshot observed)
    {
        long r = known.Revision, n = observed.Revision;
        var changes = new List<KvChange>();

        // Replay the own writes over the known state; remember each touched key's expected final state.
        Dictionary<string, KvPair?>? touched = null;
        foreach (var w in own)
        {
            if (w.Index <= r || w.Index > n)
            {
                continue;
            }

            touched ??= new Dictionary<string, KvPair?>(StringComparer.Ordinal);
            var current = touched.TryGetValue(w.Key, out var t) ? t : known.Get(w.Key);
            if (w.Value is not null)
            {
                touched[w.Key] = new KvPair(w.Key, w.Value, w.Index);
                changes.Add(KvChange.Put(w.Key, w.Value, w.Index, current?.Value));
            }
            else if (current is not null)
            {
                touched[w.Key] = null;
                changes.Add(KvChange.Delete(w.Key, w.Index, current.Value));
            }
        }

        int ownCount = changes.Count;

        // Walk both sorted states together; touched keys use their expected state instead of the known one.
        int i = 0, j = 0;
        while (i < known.Count || j < observed.Count)
        {
            int cmp = i == known.Count ? 1 : j == observed.Count ? -1 : string.CompareOrdinal(known[i].Key, observed[j].Key);
            var key = cmp <= 0 ? known[i].Key : observed[j].Key;
            var before = cmp <= 0 ? known[i] : null;
            var after = cmp >= 0 ? observed[j] : null;
            if (cmp <= 0)
            {
                i++;
            }

            if (cmp >= 0)
            {
                j++;
            }

            if (touched is not null && touched.Remove(key, out var expected))
            {
                before = expected;
            }

            if (!Reconcile(key, before, after, r, n, changes))
            {
                return null;
            }
        }

        // Keys only the own writes know of (put and gone again, or put and not observed).
        if (touched is not null)
        {
            foreach (var (key, expected) in touched)
            {
                if (!Reconcile(key, expected, null, r, n, changes))
                {
                    return null;
                }
            }
        }

        if (changes.Count > ownCount || ownCount > 1)
        {
            // A stable sort by index: own writes keep their order, and come before foreign changes of the same index.
            var ordered = changes.Select((c, index) => (c, index)).OrderBy(x => x.c.Revision).ThenBy(x => x.index).Select(x => x.c).ToList();
            return ordered;
        }

        return changes;
    }

    private static bool Reconcile(string key, KvPair? before, KvPair? after, long r, long n, List<KvChange> changes)
    {
        if (after is null)
        {
            if (before is null)
            {
                return true;
            }

            if (before.ModRevision >= n)
            {
                // Written at N (or later) yet absent from the state at N.
                return false;
            }

            changes.Add(KvChange.Delete(key, n, before.Value));
            return true;
        }

        if (after.ModRevision > n)
        {
            return false;
        }

        if (before is not null && after.ModRevision == before.ModRevision)
        {
            return string.Equals(before.Value, after.Value, StringComparison.Ordinal);
        }

        if (after.ModRevision <= r || (before is not null && after.ModRevision < before.ModRevision))
        {
            // An older write than what was known: the states do not belong to one history.
            return false;
        }

        changes.Add(KvChange.Put(key, after.Value, after.ModRevision, before?.Value));
        return true;
    }
}

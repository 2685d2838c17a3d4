using System.Collections;

namespace Tend.Core.Kv;

/// <summary>
/// An immutable view of every key under <see cref="Prefix"/> at one store revision, sorted by key
/// (ordinal). Lookups are binary searches; a snapshot is safe to share between threads.
/// </summary>
public sealed class KvSnapshot : IReadOnlyList<KvPair>
{
    private readonly KvPair[] _pairs;

    private KvSnapshot(string prefix, long revision, KvPair[] sortedPairs)
    {
        Prefix = prefix;
        Revision = revision;
        _pairs = sortedPairs;
    }

    /// <summary>The (normalised) prefix this snapshot covers.</summary>
    public string Prefix { get; }

    /// <summary>The store revision (etcd revision, ZooKeeper zxid, Consul index, file-store generation) the snapshot reflects.</summary>
    public long Revision { get; }

    /// <inheritdoc />
    public int Count => _pairs.Length;

    /// <inheritdoc />
    public KvPair this[int index] => _pairs[index];

    /// <summary>An empty snapshot.</summary>
    public static KvSnapshot Empty(string prefix, long revision = 0) => new(KeyPath.Normalize(prefix), revision, []);

    /// <summary>Builds a snapshot from pairs in any order; the last pair wins when a key repeats.</summary>
    public static KvSnapshot Create(string prefix, long revision, IEnumerable<KvPair> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var p = KeyPath.Normalize(prefix);
        var array = pairs.ToArray();
        for (int i = 0; i < array.Length; i++)
        {
            if (!KeyPath.IsUnder(array[i].Key, p))
            {
                throw new ArgumentException($"Key '{array[i].Key}' is not under the snapshot prefix '{p}'.", nameof(pairs));
            }
        }

        // Stores that list in key order (etcd does) need no sort: one pass to check, and the array is used as is.
        if (IsStrictlyOrdered(array))
        {
            return new KvSnapshot(p, revision, array);
        }

        // A stable sort keeps the input order among equal keys, so "last wins" is well defined.
        var sorted = array.Select((pair, index) => (pair, index))
            .OrderBy(x => x.pair.Key, StringComparer.Ordinal)
            .ThenBy(x => x.index)
            .Select(x => x.pair)
            .ToList();
        var unique = new List<KvPair>(sorted.Count);
        foreach (var pair in sorted)
        {
            if (unique.Count > 0 && string.Equals(unique[^1].Key, pair.Key, StringComparison.Ordinal))
            {
                unique[^1] = pair;
            }
            else
            {
                unique.Add(pair);
            }
        }

        return new KvSnapshot(p, revision, [.. unique]);
    }

    private static bool IsStrictlyOrdered(KvPair[] pairs)
    {
        for (int i = 1; i < pairs.Length; i++)
        {
            if (string.CompareOrdinal(pairs[i - 1].Key, pairs[i].Key) >= 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The pair stored at <paramref name="key"/>, or <c>null</c>.</summary>
    public KvPair? Get(string key)
    {
        int i = IndexOf(key);
        return i >= 0 ? _pairs[i] : null;
    }

    /// <summary>Looks up a value.</summary>
    public bool TryGetValue(string key, out string value)
    {
        int i = IndexOf(key);
        value = i >= 0 ? _pairs[i].Value : string.Empty;
        return i >= 0;
    }

    /// <summary>The pairs at or below <paramref name="prefix"/> (path semantics), in key order; no copy in the common case.</summary>
    public IReadOnlyList<KvPair> Under(string prefix)
    {
        var p = KeyPath.Normalize(prefix);
        if (p == KeyPath.Root)
        {
            return this;
        }

        // Ordinally, "/app" < "/app-x" < "/app/a" < "/app0" < "/appa": the children of /app are the
        // contiguous run ["/app/", "/app0"), and /app itself may sit apart from it.
        int self = IndexOf(p);
        int from = LowerBound(p + "/");
        int to = LowerBound(p + "0");
        if (self < 0 || self + 1 == from)
        {
            int start = self < 0 ? from : self;
            return new ArraySegment<KvPair>(_pairs, start, to - start);
        }

        var list = new KvPair[to - from + 1];
        list[0] = _pairs[self];
        Array.Copy(_pairs, from, list, 1, to - from);
        return list;
    }

    /// <summary>Applies changes (in revision order) and returns the resulting snapshot at <paramref name="revision"/>.</summary>
    /// <remarks>Changes to keys outside <see cref="Prefix"/> are ignored.</remarks>
    public KvSnapshot Apply(IReadOnlyList<KvChange> changes, long revision)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (changes.Count == 0)
        {
            return revision == Revision ? this : new KvSnapshot(Prefix, revision, _pairs);
        }

        // Reduce the batch to its net effect per key (the last change wins), then merge once: O(n + m log m).
        var net = new SortedDictionary<string, KvChange>(StringComparer.Ordinal);
        foreach (var c in changes)
        {
            if (KeyPath.IsUnder(c.Key, Prefix))
            {
                net[c.Key] = c;
            }
        }

        var result = new List<KvPair>(_pairs.Length + net.Count);
        int i = 0;
        foreach (var (key, change) in net)
        {
            while (i < _pairs.Length && string.CompareOrdinal(_pairs[i].Key, key) < 0)
            {
                result.Add(_pairs[i++]);
            }

            if (i < _pairs.Length && string.Equals(_pairs[i].Key, key, StringComparison.Ordinal))
            {
                i++;
            }

            if (change.Kind == KvChangeKind.Put)
            {
                result.Add(new KvPair(key, change.Value ?? string.Empty, change.Revision));
            }
        }

        while (i < _pairs.Length)
        {
            result.Add(_pairs[i++]);
        }

        return new KvSnapshot(Prefix, revision, [.. result]);
    }

    /// <summary>The keys whose presence or value differs between this snapshot and <paramref name="other"/>, sorted.</summary>
    public IReadOnlyList<string> DiffKeys(KvSnapshot other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var keys = new List<string>();
        int i = 0, j = 0;
        var a = _pairs;
        var b = other._pairs;
        while (i < a.Length || j < b.Length)
        {
            int cmp = i == a.Length ? 1 : j == b.Length ? -1 : string.CompareOrdinal(a[i].Key, b[j].Key);
            if (cmp < 0)
            {
                keys.Add(a[i++].Key);
            }
            else if (cmp > 0)
            {
                keys.Add(b[j++].Key);
            }
            else
            {
                if (!string.Equals(a[i].Value, b[j].Value, StringComparison.Ordinal))
                {
                    keys.Add(a[i].Key);
                }

                i++;
                j++;
            }
        }

        return keys;
    }

    /// <summary>True when both snapshots hold the same keys and values (revisions are not compared).</summary>
    public bool ContentEquals(KvSnapshot other) => DiffKeys(other).Count == 0;

    /// <inheritdoc />
    public IEnumerator<KvPair> GetEnumerator() => ((IEnumerable<KvPair>)_pairs).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int IndexOf(string key)
    {
        int i = LowerBound(key);
        return i < _pairs.Length && string.Equals(_pairs[i].Key, key, StringComparison.Ordinal) ? i : -1;
    }

    private int LowerBound(string key)
    {
        int lo = 0, hi = _pairs.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (string.CompareOrdinal(_pairs[mid].Key, key) < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}

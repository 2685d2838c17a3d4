namespace Tend.Templates;

/// <summary>An immutable in-memory <see cref="ITemplateKeySource"/> with prefix search (tests, one-off renders).</summary>
public sealed class InMemoryKeySource : ITemplateKeySource
{
    private readonly KVPair[] _sorted;
    private readonly Dictionary<string, string> _byKey;

    /// <summary>Creates a source holding a copy of <paramref name="pairs"/> (a later duplicate key wins).</summary>
    public InMemoryKeySource(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        _byKey = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var kv in pairs)
        {
            _byKey[kv.Key] = kv.Value;
        }
        _sorted = _byKey.Select(kv => new KVPair(kv.Key, kv.Value)).OrderBy(kv => kv.Key, StringComparer.Ordinal).ToArray();
    }

    /// <inheritdoc/>
    public bool TryGet(string key, out string value) => _byKey.TryGetValue(key, out value!);

    /// <inheritdoc/>
    public IEnumerable<KVPair> ListUnder(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        int lo = 0;
        int hi = _sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (string.CompareOrdinal(_sorted[mid].Key, prefix) < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        for (int i = lo; i < _sorted.Length && _sorted[i].Key.StartsWith(prefix, StringComparison.Ordinal); i++)
        {
            yield return _sorted[i];
        }
    }
}

namespace Tend.Templates;

/// <summary>An immutable in-memory <see cref="ITemplateKeySource"/> (tests, one-off renders).</summary>
public sealed class InMemoryKeySource : ITemplateKeySource
{
    private readonly SortedDictionary<string, string> _pairs;

    /// <summary>Creates a source holding a copy of <paramref name="pairs"/>.</summary>
    public InMemoryKeySource(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        _pairs = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var kv in pairs)
        {
            _pairs[kv.Key] = kv.Value;
        }
    }

    /// <inheritdoc/>
    public bool TryGet(string key, out string value) => _pairs.TryGetValue(key, out value!);

    /// <inheritdoc/>
    public IEnumerable<KVPair> All() => _pairs.Select(kv => new KVPair(kv.Key, kv.Value));
}

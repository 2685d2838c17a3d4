namespace Tend.Core.Config.Hcl;

/// <summary>An object's entries in file order; a key written twice (a repeated block) appears twice.</summary>
public sealed class HclObject(IReadOnlyList<HclEntry> entries)
{
    public IReadOnlyList<HclEntry> Entries { get; } = entries;

    /// <summary>Every entry named <paramref name="key"/>, in file order.</summary>
    public IEnumerable<HclEntry> All(string key) => Entries.Where(e => string.Equals(e.Key, key, StringComparison.Ordinal));
}

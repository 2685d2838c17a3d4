using System.Diagnostics.CodeAnalysis;

namespace Tend.Core.Config.Ini;

/// <summary>A <c>[name]</c> section of an <see cref="IniDocument"/> with its entries in file order.</summary>
public sealed class IniSection
{
    private readonly List<IniEntry> _entries = [];

    // Like Python's configparser, keys are matched without regard to case.
    private readonly Dictionary<string, IniEntry> _byKey = new(StringComparer.OrdinalIgnoreCase);

    internal IniSection(string name, int line)
    {
        Name = name;
        Line = line;
    }

    /// <summary>The section name as written between the brackets (trimmed).</summary>
    public string Name { get; }

    /// <summary>1-based line of the <c>[name]</c> header.</summary>
    public int Line { get; }

    /// <summary>The entries in file order.</summary>
    public IReadOnlyList<IniEntry> Entries => _entries;

    /// <summary>Finds an entry by key, ignoring case.</summary>
    public bool TryGetEntry(string key, [NotNullWhen(true)] out IniEntry? entry) => _byKey.TryGetValue(key, out entry);

    /// <summary>Finds a value by key, ignoring case.</summary>
    public bool TryGetValue(string key, [NotNullWhen(true)] out string? value)
    {
        value = _byKey.TryGetValue(key, out var entry) ? entry.Value : null;
        return value is not null;
    }

    /// <summary>Adds an entry; false if a key differing at most in case is already present.</summary>
    internal bool TryAdd(IniEntry entry)
    {
        if (!_byKey.TryAdd(entry.Key, entry))
        {
            return false;
        }

        _entries.Add(entry);
        return true;
    }
}

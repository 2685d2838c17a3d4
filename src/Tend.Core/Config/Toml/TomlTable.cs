using System.Diagnostics.CodeAnalysis;

namespace Tend.Core.Config.Toml;

/// <summary>
/// A TOML table: keys in source order, each with its value and the key's position.
/// The root of a parsed document is a table with <see cref="TomlTableOrigin.Root"/>.
/// </summary>
/// <remarks>
/// The typed <c>TryGet…</c> helpers return false both when the key is missing and when the value has
/// another type; use <see cref="TryGetEntry"/> when the caller must tell the two apart (for example to
/// report a type error at the value's position).
/// </remarks>
public sealed class TomlTable : TomlValue
{
    private readonly List<TomlEntry> _entries = [];
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

    internal TomlTable(TomlTableOrigin origin, int line, int column)
        : base(line, column) => Origin = origin;

    /// <inheritdoc />
    public override TomlValueKind Kind => TomlValueKind.Table;

    /// <summary>How the table was defined (header, dotted key, inline, ...).</summary>
    public TomlTableOrigin Origin { get; internal set; }

    /// <summary>The entries in the order their keys first appeared.</summary>
    public IReadOnlyList<TomlEntry> Entries => _entries;

    /// <summary>Number of keys.</summary>
    public int Count => _entries.Count;

    /// <summary>
    /// Set once the table may no longer gain keys: inline tables (and tables made by dotted keys inside them)
    /// once their closing brace is read.
    /// </summary>
    internal bool IsSealed { get; set; }

    /// <summary>Finds the entry for <paramref name="key"/> (case-sensitive, as TOML keys are).</summary>
    public bool TryGetEntry(string key, [NotNullWhen(true)] out TomlEntry? entry)
    {
        if (_index.TryGetValue(key, out var i))
        {
            entry = _entries[i];
            return true;
        }

        entry = null;
        return false;
    }

    /// <summary>Finds the value for <paramref name="key"/> whatever its type.</summary>
    public bool TryGetValue(string key, [NotNullWhen(true)] out TomlValue? value)
    {
        value = TryGetEntry(key, out var entry) ? entry.Value : null;
        return value is not null;
    }

    /// <summary>Gets a string value; false if missing or not a string.</summary>
    public bool TryGetString(string key, [NotNullWhen(true)] out string? value)
    {
        value = TryGetValue(key, out var v) && v is TomlString s ? s.Value : null;
        return value is not null;
    }

    /// <summary>Gets an integer value; false if missing or not an integer.</summary>
    public bool TryGetInteger(string key, out long value)
    {
        var found = TryGetValue(key, out var v) && v is TomlInteger;
        value = found ? ((TomlInteger)v!).Value : 0;
        return found;
    }

    /// <summary>Gets a boolean value; false if missing or not a boolean.</summary>
    public bool TryGetBoolean(string key, out bool value)
    {
        var found = TryGetValue(key, out var v) && v is TomlBoolean;
        value = found && ((TomlBoolean)v!).Value;
        return found;
    }

    /// <summary>Gets a sub-table; false if missing or not a table.</summary>
    public bool TryGetTable(string key, [NotNullWhen(true)] out TomlTable? value)
    {
        value = TryGetValue(key, out var v) ? v as TomlTable : null;
        return value is not null;
    }

    /// <summary>Gets an array (including an array of tables); false if missing or not an array.</summary>
    public bool TryGetArray(string key, [NotNullWhen(true)] out TomlArray? value)
    {
        value = TryGetValue(key, out var v) ? v as TomlArray : null;
        return value is not null;
    }

    internal void Add(TomlEntry entry)
    {
        _index.Add(entry.Key, _entries.Count);
        _entries.Add(entry);
    }
}

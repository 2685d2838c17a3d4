namespace Tend.Core.Config.Toml;

/// <summary>
/// One key of a <see cref="TomlTable"/> with its value. <see cref="Line"/> and <see cref="Column"/>
/// locate the key itself (for a dotted key <c>a.b.c</c>, each table's entry points at its own segment);
/// the value's position is on <see cref="Value"/>.
/// </summary>
public sealed class TomlEntry
{
    internal TomlEntry(string key, TomlValue value, int line, int column)
    {
        Key = key;
        Value = value;
        Line = line;
        Column = column;
    }

    /// <summary>The key as decoded (quotes removed, escapes resolved).</summary>
    public string Key { get; }

    /// <summary>The value.</summary>
    public TomlValue Value { get; }

    /// <summary>1-based line of the key.</summary>
    public int Line { get; }

    /// <summary>1-based column (in code points) of the key.</summary>
    public int Column { get; }
}

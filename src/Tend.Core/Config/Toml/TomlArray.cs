using System.Collections;

namespace Tend.Core.Config.Toml;

/// <summary>
/// A TOML array: either an array value <c>[1, "two"]</c> (elements may have mixed types in TOML 1.0)
/// or an array of tables built from <c>[[name]]</c> headers.
/// </summary>
public sealed class TomlArray : TomlValue, IReadOnlyList<TomlValue>
{
    private readonly List<TomlValue> _items = [];

    internal TomlArray(bool isArrayOfTables, int line, int column)
        : base(line, column) => IsArrayOfTables = isArrayOfTables;

    /// <inheritdoc />
    public override TomlValueKind Kind => TomlValueKind.Array;

    /// <summary>True when built from <c>[[name]]</c> headers (only such arrays may be appended to later).</summary>
    public bool IsArrayOfTables { get; }

    /// <summary>Number of elements.</summary>
    public int Count => _items.Count;

    /// <summary>The element at <paramref name="index"/>.</summary>
    public TomlValue this[int index] => _items[index];

    /// <inheritdoc />
    public IEnumerator<TomlValue> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    internal void Add(TomlValue value) => _items.Add(value);
}

namespace Tend.Core.Config.Ini;

/// <summary>One <c>key = value</c> (or <c>key: value</c>) line of an <see cref="IniSection"/>, with any continuation lines.</summary>
public sealed class IniEntry
{
    internal IniEntry(string key, string value, int line, int valueLine, int indent)
    {
        Key = key;
        Value = value;
        Line = line;
        ValueLine = valueLine;
        Indent = indent;
    }

    /// <summary>The key as written (trimmed); lookups ignore case.</summary>
    public string Key { get; }

    /// <summary>
    /// The value, trimmed. Continuation lines are appended after a <c>\n</c>, each trimmed; blank lines
    /// between continuation lines are kept as empty lines. May be empty.
    /// </summary>
    public string Value { get; internal set; }

    /// <summary>1-based line of the key.</summary>
    public int Line { get; }

    /// <summary>
    /// 1-based line where the value's text begins: the key's line, or the first continuation line when
    /// nothing follows the separator.
    /// </summary>
    public int ValueLine { get; internal set; }

    /// <summary>Leading whitespace of the key line; only deeper-indented lines continue the value.</summary>
    internal int Indent { get; }
}

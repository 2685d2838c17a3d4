namespace Tend.Core.Config.Toml;

/// <summary>Parses TOML 1.0 documents into a <see cref="TomlTable"/> that keeps source positions.</summary>
public static class TomlParser
{
    /// <summary>Parses a document held as text. A leading byte-order mark is ignored.</summary>
    /// <exception cref="TomlException">The text is not valid TOML 1.0.</exception>
    public static TomlTable Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TomlReader.Read(text, skipByteOrderMark: true);
    }

    /// <summary>
    /// Parses a document held as UTF-8 bytes (as read from a file). Invalid UTF-8 is reported as a
    /// <see cref="TomlException"/> at the offending position. A leading byte-order mark is ignored.
    /// </summary>
    /// <exception cref="TomlException">The bytes are not valid UTF-8 or not valid TOML 1.0.</exception>
    public static TomlTable Parse(ReadOnlySpan<byte> utf8) => TomlReader.Read(TomlReader.DecodeUtf8(utf8), skipByteOrderMark: false);
}

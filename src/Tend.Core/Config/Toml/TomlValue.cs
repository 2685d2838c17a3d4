namespace Tend.Core.Config.Toml;

/// <summary>
/// A value in a parsed TOML document. Every value remembers the 1-based line and column where it
/// starts in the source, so configuration errors can point at it.
/// </summary>
public abstract class TomlValue
{
    private protected TomlValue(int line, int column)
    {
        Line = line;
        Column = column;
    }

    /// <summary>The TOML type of this value; each kind has its own subclass.</summary>
    public abstract TomlValueKind Kind { get; }

    /// <summary>1-based line where the value starts (for a header table: the header's <c>[</c>).</summary>
    public int Line { get; internal set; }

    /// <summary>1-based column (in code points) where the value starts.</summary>
    public int Column { get; internal set; }
}

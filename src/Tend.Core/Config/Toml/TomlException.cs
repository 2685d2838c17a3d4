namespace Tend.Core.Config.Toml;

/// <summary>
/// Thrown when a TOML document is malformed or breaks one of the TOML 1.0 rules.
/// <see cref="Exception.Message"/> has the form <c>LINE:COL: reason</c> so callers can prefix a file name.
/// </summary>
public sealed class TomlException : Exception
{
    /// <summary>Creates an exception for a problem at the given 1-based position.</summary>
    public TomlException(int line, int column, string reason)
        : base($"{line}:{column}: {reason}")
    {
        Line = line;
        Column = column;
        Reason = reason;
    }

    /// <summary>1-based line of the offending character.</summary>
    public int Line { get; }

    /// <summary>1-based column (in Unicode code points) of the offending character.</summary>
    public int Column { get; }

    /// <summary>The message without the position prefix.</summary>
    public string Reason { get; }

    /// <inheritdoc />
    public override string ToString() => Message;
}

namespace Tend.Core.Config.Ini;

/// <summary>
/// Thrown when an INI file is malformed. <see cref="Exception.Message"/> has the form <c>LINE: reason</c>
/// so callers can prefix a file name.
/// </summary>
public sealed class IniException : Exception
{
    /// <summary>Creates an exception for a problem on the given 1-based line.</summary>
    public IniException(int line, string reason)
        : base($"{line}: {reason}")
    {
        Line = line;
        Reason = reason;
    }

    /// <summary>1-based line of the problem.</summary>
    public int Line { get; }

    /// <summary>The message without the line prefix.</summary>
    public string Reason { get; }

    /// <inheritdoc />
    public override string ToString() => Message;
}

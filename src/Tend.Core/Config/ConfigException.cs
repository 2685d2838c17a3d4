namespace Tend.Core.Config;

/// <summary>A configuration file is invalid. <see cref="Exception.Message"/> reads <c>file:line:column: what is wrong</c>.</summary>
public sealed class ConfigException : Exception
{
    public ConfigException()
    {
    }

    public ConfigException(string message)
        : base(message)
    {
    }

    public ConfigException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>An error at a position in <paramref name="file"/> (line/column 0 = unknown).</summary>
    public ConfigException(string file, int line, int column, string reason, Exception? innerException = null)
        : base(Format(file, line, column, reason), innerException)
    {
        File = file;
        Line = line;
        Column = column;
        Reason = reason;
    }

    /// <summary>The file, as given.</summary>
    public string? File { get; }

    /// <summary>1-based line, 0 when unknown.</summary>
    public int Line { get; }

    /// <summary>1-based column, 0 when unknown.</summary>
    public int Column { get; }

    /// <summary>What is wrong, without the position.</summary>
    public string? Reason { get; }

    private static string Format(string file, int line, int column, string reason) =>
        line <= 0 ? $"{file}: {reason}" : column <= 0 ? $"{file}:{line}: {reason}" : $"{file}:{line}:{column}: {reason}";
}

namespace Tend.Templates;

/// <summary>
/// A template failed to parse. <see cref="Exception.Message"/> is exactly Go's error text,
/// e.g. <c>template: app.conf:3: unexpected EOF</c>.
/// </summary>
public sealed class TemplateParseException : Exception
{
    public TemplateParseException()
    {
    }

    public TemplateParseException(string message)
        : base(message)
    {
    }

    public TemplateParseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal TemplateParseException(string message, string name, int line, int column, string detail)
        : base(message)
    {
        Name = name;
        Line = line;
        Column = column;
        Detail = detail;
    }

    /// <summary>The template (file) name given to Parse.</summary>
    public string Name { get; } = "";

    /// <summary>1-based line Go reports.</summary>
    public int Line { get; }

    /// <summary>0-based byte column of the token the parser stopped at.</summary>
    public int Column { get; }

    /// <summary>The message without the <c>template: NAME:LINE: </c> prefix.</summary>
    public string Detail { get; } = "";
}

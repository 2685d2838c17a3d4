namespace Tend.Templates;

/// <summary>
/// A template failed while rendering. <see cref="Exception.Message"/> is exactly Go's error text,
/// e.g. <c>template: app.conf:3:7: executing "app.conf" at &lt;.Foo&gt;: map has no entry for key "Foo"</c>.
/// </summary>
public sealed class TemplateExecutionException : Exception
{
    public TemplateExecutionException()
    {
    }

    public TemplateExecutionException(string message)
        : base(message)
    {
    }

    public TemplateExecutionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal TemplateExecutionException(string message, string templateName, string fileName, int line, int column, string detail, TemplateLimitKind limit = TemplateLimitKind.None)
        : base(message)
    {
        LimitExceeded = limit;
        TemplateName = templateName;
        FileName = fileName;
        Line = line;
        Column = column;
        Detail = detail;
    }

    /// <summary>The template being executed (a <c>define</c>d name or the top-level name).</summary>
    public string TemplateName { get; } = "";

    /// <summary>The name the text was parsed under (usually the file name).</summary>
    public string FileName { get; } = "";

    /// <summary>1-based line of the failing node, 0 when unknown.</summary>
    public int Line { get; }

    /// <summary>0-based byte column of the failing node within its line (Go's convention).</summary>
    public int Column { get; }

    /// <summary>Which of the render's <see cref="TemplateLimits"/> was exceeded; <see cref="TemplateLimitKind.None"/> for an ordinary error.</summary>
    public TemplateLimitKind LimitExceeded { get; }

    /// <summary>The message without Go's location prefix, e.g. <c>map has no entry for key "Foo"</c>.</summary>
    public string Detail { get; } = "";
}

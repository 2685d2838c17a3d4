using Microsoft.Extensions.Logging;

namespace Tend.Core.Config;

/// <summary>The <c>[log]</c> section: the knobs of etcdhooks' log.cfg and more.</summary>
public sealed record LogOptions
{
    /// <summary>The lowest level written: <c>trace</c>, <c>debug</c>, <c>info</c>, <c>warn</c>, <c>error</c>.</summary>
    public LogLevel Level { get; init; } = LogLevel.Information;

    /// <summary>Write exception stack traces (off: only the exception messages).</summary>
    public bool StackTraces { get; init; }

    /// <summary>Output format: <c>text</c> (one line an event) or <c>json</c> (one object a line).</summary>
    public string Format { get; init; } = "text";
}

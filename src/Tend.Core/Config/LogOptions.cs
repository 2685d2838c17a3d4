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

    /// <summary>
    /// Where log lines go: <c>stderr</c> (the default, so stdout stays clean for command output),
    /// <c>stdout</c> (etcdhooks' log.cfg sent everything there) or <c>syslog</c> (the local daemon through <c>/dev/log</c>).
    /// </summary>
    public string Output { get; init; } = "stderr";
}

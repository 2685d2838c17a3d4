using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Tend.Logging;

/// <summary>Options of <see cref="TendConsoleFormatter"/>: the <c>[log]</c> section's format and stack-trace knobs.</summary>
internal sealed class TendConsoleFormatterOptions : ConsoleFormatterOptions
{
    public bool Json { get; set; }

    public bool StackTraces { get; set; }
}

/// <summary>
/// One line an event, to stderr: <c>2026-11-22T04:00:00.123Z info  Tend.Core.Mirror.KvMirror: message</c>,
/// or one JSON object a line. Exceptions print their message chain, with stack traces only when
/// <c>[log] stacktraces = true</c> (the seed's log.cfg knob).
/// </summary>
internal sealed class TendConsoleFormatter : ConsoleFormatter, IDisposable
{
    public const string FormatterName = "tend";
    private readonly IDisposable? _reload;
    private TendConsoleFormatterOptions _options;

    public TendConsoleFormatter(IOptionsMonitor<TendConsoleFormatterOptions> options)
        : base(FormatterName)
    {
        _options = options.CurrentValue;
        _reload = options.OnChange(o => _options = o);
    }

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        var ex = logEntry.Exception;
        var time = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
        if (_options.Json)
        {
            using var stream = new MemoryStream();
            using (var json = new Utf8JsonWriter(stream))
            {
                json.WriteStartObject();
                json.WriteString("time", time);
                json.WriteString("level", Level(logEntry.LogLevel));
                json.WriteString("category", logEntry.Category);
                json.WriteNumber("event", logEntry.EventId.Id);
                json.WriteString("message", message);
                if (logEntry.State is IReadOnlyList<KeyValuePair<string, object?>> fields)
                {
                    foreach (var (k, v) in fields)
                    {
                        if (k != "{OriginalFormat}")
                        {
                            json.WriteString(char.ToLowerInvariant(k[0]) + k[1..], Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture));
                        }
                    }
                }

                if (ex is not null)
                {
                    json.WriteString("error", _options.StackTraces ? ex.ToString() : Chain(ex));
                }

                json.WriteEndObject();
            }

            textWriter.Write(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
            textWriter.Write('\n');
            return;
        }

        textWriter.Write(time);
        textWriter.Write(' ');
        textWriter.Write(Level(logEntry.LogLevel).PadRight(5));
        textWriter.Write(' ');
        textWriter.Write(ShortCategory(logEntry.Category));
        textWriter.Write(": ");

        // One event, one line: whatever a key, a value or a command put in the message is escaped.
        textWriter.Write(LogText.Escape(message));
        if (ex is not null && !message.Contains(ex.Message, StringComparison.Ordinal))
        {
            textWriter.Write(": ");
            textWriter.Write(LogText.Escape(Chain(ex)));
        }

        textWriter.Write('\n');
        if (ex is not null && _options.StackTraces)
        {
            textWriter.Write(StackTrace(ex));
        }
    }

    /// <summary>
    /// The stack traces, indented under the event: each exception's type and escaped message, then its frames.
    /// ex.ToString() is not used, as it would print a message's newlines as lines of their own.
    /// </summary>
    private static string StackTrace(Exception ex)
    {
        var sb = new System.Text.StringBuilder();
        for (var e = ex; e is not null; e = e.InnerException)
        {
            sb.Append(e == ex ? "  " : "  ---> ").Append(e.GetType().FullName).Append(": ").Append(LogText.Escape(e.Message)).Append('\n');
            foreach (var frame in (e.StackTrace ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                sb.Append("    ").Append(LogText.Escape(frame.Trim())).Append('\n');
            }
        }

        return sb.ToString();
    }

    public void Dispose() => _reload?.Dispose();

    private static string Chain(Exception ex)
    {
        var parts = new List<string>();
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (parts.Count == 0 || !parts[^1].Contains(e.Message, StringComparison.Ordinal))
            {
                parts.Add(e.Message);
            }
        }

        return string.Join(": ", parts);
    }

    private static string ShortCategory(string category)
    {
        int i = category.LastIndexOf('.');
        return i < 0 ? category : category[(i + 1)..];
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "error",
        LogLevel.Critical => "fatal",
        _ => "none",
    };
}

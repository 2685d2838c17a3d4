using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Tend.Core.Config;

namespace Tend.Logging;

/// <summary>Sets up Tend's logging from <c>[log]</c>: everything to stderr, so stdout stays clean for command output.</summary>
internal static class TendLogging
{
    public static void Configure(ILoggingBuilder builder, LogOptions options)
    {
        builder.ClearProviders();
        builder.SetMinimumLevel(options.Level);

        // The framework's own chatter stays at warning unless the operator asks for debug.
        builder.AddFilter("Microsoft", options.Level <= LogLevel.Debug ? options.Level : LogLevel.Warning);
        builder.AddFilter("System", options.Level <= LogLevel.Debug ? options.Level : LogLevel.Warning);
        builder.AddConsole(o =>
        {
            o.FormatterName = TendConsoleFormatter.FormatterName;
            o.LogToStandardErrorThreshold = LogLevel.Trace;
        });
        builder.AddConsoleFormatter<TendConsoleFormatter, TendConsoleFormatterOptions>(o =>
        {
            o.Json = options.Format == "json";
            o.StackTraces = options.StackTraces;
        });
    }

    public static ILoggerFactory CreateFactory(LogOptions options) => LoggerFactory.Create(b => Configure(b, options));
}

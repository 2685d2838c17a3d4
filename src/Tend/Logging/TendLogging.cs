using Microsoft.Extensions.DependencyInjection;
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
        // The formatter is handed over built: AddConsoleFormatter<,> would bind its options from
        // configuration by reflection, which is not trim-safe (and there is no configuration to bind).
        builder.Services.AddSingleton<ConsoleFormatter>(new TendConsoleFormatter(new FixedOptionsMonitor<TendConsoleFormatterOptions>(new TendConsoleFormatterOptions
        {
            Json = options.Format == "json",
            StackTraces = options.StackTraces,
        })));
    }

    /// <summary>
    /// The same logging as <see cref="Configure"/>, built by hand: LoggerFactory.Create's service
    /// container, options plumbing and configuration binding cost a short command such as
    /// <c>tend render --onetime</c> tens of milliseconds of start-up for nothing it uses.
    /// </summary>
    public static ILoggerFactory CreateFactory(LogOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var framework = options.Level <= LogLevel.Debug ? options.Level : LogLevel.Warning;
        var filter = new LoggerFilterOptions { MinLevel = options.Level };
        filter.Rules.Add(new LoggerFilterRule(null, "Microsoft", framework, null));
        filter.Rules.Add(new LoggerFilterRule(null, "System", framework, null));
        var formatter = new TendConsoleFormatter(new FixedOptionsMonitor<TendConsoleFormatterOptions>(new TendConsoleFormatterOptions
        {
            Json = options.Format == "json",
            StackTraces = options.StackTraces,
        }));
        var console = new ConsoleLoggerProvider(
            new FixedOptionsMonitor<ConsoleLoggerOptions>(new ConsoleLoggerOptions
            {
                FormatterName = TendConsoleFormatter.FormatterName,
                LogToStandardErrorThreshold = LogLevel.Trace,
            }),
            [formatter]);
        var factory = new LoggerFactory([], filter);

        // AddProvider (unlike the constructor) hands the provider to the factory to dispose, which
        // flushes the console queue on exit.
        factory.AddProvider(console);
        return factory;
    }
}

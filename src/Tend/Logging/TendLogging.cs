using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Tend.Core.Config;

namespace Tend.Logging;

/// <summary>
/// Sets up Tend's logging from <c>[log]</c>: by default everything to stderr, so stdout stays clean
/// for command output; <c>output = "stdout"</c> or <c>"syslog"</c> sends every line there instead.
/// </summary>
internal static class TendLogging
{
    /// <summary>The local syslog daemon's socket.</summary>
    public const string SyslogSocket = "/dev/log";

    public static void Configure(ILoggingBuilder builder, LogOptions options)
    {
        builder.ClearProviders();
        builder.SetMinimumLevel(options.Level);

        // The framework's own chatter stays at warning unless the operator asks for debug.
        builder.AddFilter("Microsoft", options.Level <= LogLevel.Debug ? options.Level : LogLevel.Warning);
        builder.AddFilter("System", options.Level <= LogLevel.Debug ? options.Level : LogLevel.Warning);
        if (options.Output == "syslog")
        {
            builder.AddProvider(new SyslogLoggerProvider());
            return;
        }

        builder.AddConsole(o =>
        {
            o.FormatterName = TendConsoleFormatter.FormatterName;
            o.LogToStandardErrorThreshold = StandardErrorThreshold(options);
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
    /// <param name="options">The <c>[log]</c> settings.</param>
    /// <param name="syslogSocket">The syslog socket for <c>output = "syslog"</c> (tests point it elsewhere).</param>
    public static ILoggerFactory CreateFactory(LogOptions options, string syslogSocket = SyslogSocket)
    {
        ArgumentNullException.ThrowIfNull(options);
        var framework = options.Level <= LogLevel.Debug ? options.Level : LogLevel.Warning;
        var filter = new LoggerFilterOptions { MinLevel = options.Level };
        filter.Rules.Add(new LoggerFilterRule(null, "Microsoft", framework, null));
        filter.Rules.Add(new LoggerFilterRule(null, "System", framework, null));
        if (options.Output == "syslog")
        {
            var syslog = new LoggerFactory([], filter);
            syslog.AddProvider(new SyslogLoggerProvider(path: syslogSocket));
            return syslog;
        }

        var formatter = new TendConsoleFormatter(new FixedOptionsMonitor<TendConsoleFormatterOptions>(new TendConsoleFormatterOptions
        {
            Json = options.Format == "json",
            StackTraces = options.StackTraces,
        }));
        var console = new ConsoleLoggerProvider(
            new FixedOptionsMonitor<ConsoleLoggerOptions>(new ConsoleLoggerOptions
            {
                FormatterName = TendConsoleFormatter.FormatterName,
                LogToStandardErrorThreshold = StandardErrorThreshold(options),
            }),
            [formatter]);
        var factory = new LoggerFactory([], filter);

        // AddProvider (unlike the constructor) hands the provider to the factory to dispose, which
        // flushes the console queue on exit.
        factory.AddProvider(console);
        return factory;
    }

    /// <summary>Levels from this one up go to stderr: all of them, or none when the output is stdout.</summary>
    private static LogLevel StandardErrorThreshold(LogOptions options) =>
        options.Output == "stdout" ? LogLevel.None : LogLevel.Trace;
}

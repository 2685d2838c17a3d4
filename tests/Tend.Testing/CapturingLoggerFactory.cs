using Microsoft.Extensions.Logging;

namespace Tend.Testing;

/// <summary>Loggers that keep every formatted message, for tests that assert what an operator would read.</summary>
public sealed class CapturingLoggerFactory : ILoggerFactory
{
    private readonly Lock _gate = new();
    private readonly List<(LogLevel Level, string Category, string Message)> _entries = [];

    /// <summary>Every entry so far.</summary>
    public IReadOnlyList<(LogLevel Level, string Category, string Message)> Entries
    {
        get
        {
            lock (_gate)
            {
                return [.. _entries];
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private void Add(LogLevel level, string category, string message)
    {
        lock (_gate)
        {
            _entries.Add((level, category, message));
        }
    }

    private sealed class Logger(CapturingLoggerFactory owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Add(logLevel, category, formatter(state, exception));
    }
}

using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Tend.Logging;

/// <summary>
/// Logs to the local syslog daemon through <c>/dev/log</c> (RFC 3164 datagrams, facility daemon),
/// for zk_watcher's <c>-l/--syslog</c>. If there is no syslog socket, messages go nowhere rather
/// than failing the agent.
/// </summary>
internal sealed class SyslogLoggerProvider : ILoggerProvider
{
    private const int FacilityDaemon = 3;
    private readonly Socket? _socket;
    private readonly Lock _gate = new();
    private readonly string _tag;

    public SyslogLoggerProvider(string tag = "tend", string path = "/dev/log")
    {
        _tag = tag;
        try
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(path));
            _socket = socket;
        }
        catch (SocketException)
        {
            _socket = null;
        }
    }

    public ILogger CreateLogger(string categoryName) => new SyslogLogger(this);

    public void Dispose() => _socket?.Dispose();

    private void Send(LogLevel level, string message)
    {
        if (_socket is null)
        {
            return;
        }

        int severity = level switch
        {
            LogLevel.Critical => 2,
            LogLevel.Error => 3,
            LogLevel.Warning => 4,
            LogLevel.Information => 6,
            _ => 7,
        };
        var stamp = DateTime.Now.ToString("MMM d HH:mm:ss", CultureInfo.InvariantCulture).PadLeft(15);
        var line = $"<{(FacilityDaemon * 8) + severity}>{stamp} {_tag}[{Environment.ProcessId}]: {LogText.Escape(message)}";
        lock (_gate)
        {
            try
            {
                _socket.Send(Encoding.UTF8.GetBytes(line));
            }
            catch (SocketException)
            {
                // syslog restarted or full: drop the line rather than stall the agent.
            }
        }
    }

    private sealed class SyslogLogger(SyslogLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception);
            if (exception is not null && !message.Contains(exception.Message, StringComparison.Ordinal))
            {
                message += ": " + exception.Message;
            }

            provider.Send(logLevel, message);
        }
    }
}

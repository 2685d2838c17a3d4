using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Tend.Daemon;

/// <summary>
/// sd_notify: tells systemd (Type=notify) that Tend is ready, reloading or stopping, and pings its
/// watchdog (WatchdogSec=). A no-op outside systemd.
/// </summary>
internal sealed class SystemdNotifier
{
    private readonly string? _socketPath;

    /// <summary>A notifier sending to <paramref name="socketPath"/> (NOTIFY_SOCKET's form; null: nowhere).</summary>
    public SystemdNotifier(string? socketPath, TimeSpan? watchdogInterval)
    {
        _socketPath = string.IsNullOrEmpty(socketPath) ? null
            : socketPath[0] == '@' ? "\0" + socketPath[1..] // An abstract socket: the name starts with a NUL byte.
            : socketPath;
        WatchdogInterval = _socketPath is null ? null : watchdogInterval;
    }

    /// <summary>The notifier of this process, from NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID.</summary>
    public static SystemdNotifier Default { get; } = new(
        Environment.GetEnvironmentVariable("NOTIFY_SOCKET"),
        WatchdogIntervalFor(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), Environment.GetEnvironmentVariable("WATCHDOG_PID"), Environment.ProcessId));

    /// <summary>How often to send WATCHDOG=1 (half of systemd's WatchdogSec), or null when systemd expects no pings.</summary>
    public TimeSpan? WatchdogInterval { get; }

    /// <summary>
    /// The ping interval for the watchdog systemd announces: half of <paramref name="usec"/> microseconds, as
    /// sd_watchdog_enabled advises; null when there is none, it is malformed, or it is meant for another
    /// process (<paramref name="pid"/> names one other than <paramref name="processId"/>).
    /// </summary>
    public static TimeSpan? WatchdogIntervalFor(string? usec, string? pid, int processId)
    {
        if (!ulong.TryParse(usec, NumberStyles.None, CultureInfo.InvariantCulture, out var micros) || micros == 0)
        {
            return null;
        }

        if (!string.IsNullOrEmpty(pid)
            && (!int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var target) || target != processId))
        {
            return null;
        }

        // At least a millisecond between pings, at most a day (a WatchdogSec of years means "practically never").
        var half = Math.Clamp(micros / 2, 1_000UL, (ulong)TimeSpan.FromDays(1).TotalMicroseconds);
        return TimeSpan.FromMicroseconds(half);
    }

    /// <summary>Sends <paramref name="state"/> through this process's notifier.</summary>
    public static void Notify(string state) => Default.Send(state);

    /// <summary>Sends <paramref name="state"/> (READY=1, WATCHDOG=1, …); false when there is no systemd to tell or it did not take it.</summary>
    public bool Send(string state)
    {
        if (_socketPath is null)
        {
            return false;
        }

        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(_socketPath));
            socket.Send(Encoding.UTF8.GetBytes(state));
            return true;
        }
        catch (SocketException)
        {
            // systemd went away or the socket is not ours: nothing useful to do.
            return false;
        }
    }
}

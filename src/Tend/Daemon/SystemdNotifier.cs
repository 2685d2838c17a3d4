using System.Net.Sockets;
using System.Text;

namespace Tend.Daemon;

/// <summary>sd_notify: tells systemd (Type=notify) that Tend is ready, reloading or stopping. A no-op outside systemd.</summary>
internal static class SystemdNotifier
{
    public static void Notify(string state)
    {
        var path = Environment.GetEnvironmentVariable("NOTIFY_SOCKET");
        if (string.IsNullOrEmpty(path))
        {
            return;
        }

        if (path[0] == '@')
        {
            // An abstract socket: the name starts with a NUL byte.
            path = "\0" + path[1..];
        }

        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(path));
            socket.Send(Encoding.UTF8.GetBytes(state));
        }
        catch (SocketException)
        {
            // systemd went away or the socket is not ours: nothing useful to do.
        }
    }
}

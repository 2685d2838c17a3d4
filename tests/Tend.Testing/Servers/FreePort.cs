using System.Net;
using System.Net.Sockets;

namespace Tend.Testing.Servers;

/// <summary>Free TCP ports on the loopback interface for test servers.</summary>
public static class FreePort
{
    private static readonly Lock Gate = new();
    private static readonly HashSet<int> Handed = [];

    /// <summary>A port that was free a moment ago and has not been handed out by this process before.</summary>
    public static int Next()
    {
        lock (Gate)
        {
            while (true)
            {
                using var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                int port = ((IPEndPoint)listener.LocalEndpoint).Port;
                listener.Stop();
                if (Handed.Add(port))
                {
                    return port;
                }
            }
        }
    }
}

using System.Net;
using System.Net.Sockets;

namespace Tend.Testing.Servers;

/// <summary>
/// A loopback TCP proxy that tests put between a client and a server to break the path on purpose:
/// <see cref="Disconnect"/> closes every connection and refuses new ones (a partition the client
/// notices), <see cref="BlackholeExisting"/> silently drops everything on the open connections while
/// new ones work (a half-open connection the client does not notice), <see cref="Heal"/> ends both.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<Link> _open = [];
    private readonly Task _accept;
    private volatile bool _refusing;

    public TcpProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accept = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>Closes every proxied connection and refuses (closes at once) new ones until <see cref="Heal"/>.</summary>
    public void Disconnect()
    {
        _refusing = true;
        lock (_gate)
        {
            foreach (var link in _open)
            {
                link.Close();
            }

            _open.Clear();
        }
    }

    /// <summary>Keeps the open connections open but forwards nothing on them any more.</summary>
    public void BlackholeExisting()
    {
        lock (_gate)
        {
            foreach (var link in _open)
            {
                link.Blackholed = true;
            }
        }
    }

    public void Heal() => _refusing = false;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        Disconnect();
        try
        {
            await _accept.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            if (_refusing)
            {
                client.Dispose();
                continue;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        var link = new Link(client, new TcpClient());
        try
        {
            await link.Server.ConnectAsync(IPAddress.Loopback, _targetPort).ConfigureAwait(false);
            lock (_gate)
            {
                _open.Add(link);
            }

            var up = PumpAsync(link, link.Client.GetStream(), link.Server.GetStream());
            var down = PumpAsync(link, link.Server.GetStream(), link.Client.GetStream());
            await Task.WhenAny(up, down).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        finally
        {
            lock (_gate)
            {
                _open.Remove(link);
            }

            link.Close();
        }
    }

    private async Task PumpAsync(Link link, NetworkStream from, NetworkStream to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                int n = await from.ReadAsync(buffer, _stop.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    return;
                }

                if (!link.Blackholed)
                {
                    await to.WriteAsync(buffer.AsMemory(0, n), _stop.Token).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    private sealed class Link(TcpClient client, TcpClient server)
    {
        public TcpClient Client { get; } = client;

        public TcpClient Server { get; } = server;

        public volatile bool Blackholed;

        public void Close()
        {
            Client.Dispose();
            Server.Dispose();
        }
    }
}

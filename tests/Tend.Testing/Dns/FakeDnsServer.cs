using System.Net;
using System.Net.Sockets;

namespace Tend.Testing.Dns;

/// <summary>
/// A name server on loopback that answers every query through a test-supplied function: over UDP, and, when
/// given a TCP answer function, over TCP on the same port (for answers too large for UDP).
/// </summary>
public sealed class FakeDnsServer : IAsyncDisposable
{
    private readonly UdpClient _udp;
    private readonly TcpListener? _tcp;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _udpLoop;
    private readonly Task _tcpLoop = Task.CompletedTask;
    private int _queries;
    private int _tcpQueries;

    /// <param name="answer">Builds the UDP reply to a query, or null to stay silent.</param>
    /// <param name="tcpAnswer">Builds the reply to a query over TCP; null: no TCP listener.</param>
    public FakeDnsServer(Func<byte[], byte[]?> answer, Func<byte[], byte[]?>? tcpAnswer = null)
    {
        if (tcpAnswer is null)
        {
            _udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        }
        else
        {
            // The TCP listener takes a free port first and UDP joins it on the same number: a free UDP port
            // may be taken for TCP by one of the many loopback connections of other tests.
            (_tcp, _udp) = ListenOnSamePort();
            _tcpLoop = Task.Run(() => ServeTcpAsync(_tcp, tcpAnswer));
        }

        EndPoint = (IPEndPoint)_udp.Client.LocalEndPoint!;
        _udpLoop = Task.Run(() => ServeUdpAsync(answer));
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>Queries received over UDP.</summary>
    public int Queries => Volatile.Read(ref _queries);

    /// <summary>Queries received over TCP.</summary>
    public int TcpQueries => Volatile.Read(ref _tcpQueries);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _tcp?.Stop();
        await _udpLoop;
        await _tcpLoop;
        _udp.Dispose();
        _stop.Dispose();
    }

    private static (TcpListener Tcp, UdpClient Udp) ListenOnSamePort()
    {
        for (int attempt = 0; ; attempt++)
        {
            var tcp = new TcpListener(IPAddress.Loopback, 0);
            tcp.Start();
            try
            {
                return (tcp, new UdpClient(new IPEndPoint(IPAddress.Loopback, ((IPEndPoint)tcp.LocalEndpoint).Port)));
            }
            catch (SocketException) when (attempt < 20)
            {
                tcp.Stop();
            }
        }
    }

    private async Task ServeUdpAsync(Func<byte[], byte[]?> answer)
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var request = await _udp.ReceiveAsync(_stop.Token);
                Interlocked.Increment(ref _queries);
                var reply = answer(request.Buffer);
                if (reply is not null)
                {
                    await _udp.SendAsync(reply, request.RemoteEndPoint, _stop.Token);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException)
            {
            }
        }
    }

    private async Task ServeTcpAsync(TcpListener listener, Func<byte[], byte[]?> answer)
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using var client = await listener.AcceptTcpClientAsync(_stop.Token);
                var stream = client.GetStream();
                var length = new byte[2];
                await stream.ReadExactlyAsync(length, _stop.Token);
                var query = new byte[(length[0] << 8) | length[1]];
                await stream.ReadExactlyAsync(query, _stop.Token);
                Interlocked.Increment(ref _tcpQueries);
                if (answer(query) is { } reply)
                {
                    await stream.WriteAsync(new byte[] { (byte)(reply.Length >> 8), (byte)reply.Length }, _stop.Token);
                    await stream.WriteAsync(reply, _stop.Token);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException)
            {
            }
        }
    }
}

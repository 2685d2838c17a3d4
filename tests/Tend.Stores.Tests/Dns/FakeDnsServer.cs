using System.Net;
using System.Net.Sockets;

namespace Tend.Stores.Tests.Dns;

/// <summary>A UDP name server on loopback that answers every query through a test-supplied function.</summary>
internal sealed class FakeDnsServer : IAsyncDisposable
{
    private readonly UdpClient _udp;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    /// <param name="answer">Builds the reply to a query, or null to stay silent.</param>
    /// <param name="port">A fixed loopback port (e.g. the one of a TCP listener the test already holds); 0 picks a free one.</param>
    public FakeDnsServer(Func<byte[], byte[]?> answer, int port = 0)
    {
        _udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
        EndPoint = (IPEndPoint)_udp.Client.LocalEndPoint!;
        _loop = Task.Run(async () =>
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
        });
    }

    private int _queries;

    public IPEndPoint EndPoint { get; }

    public int Queries => Volatile.Read(ref _queries);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _udp.Dispose();
        _stop.Dispose();
    }
}

using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Tend.Stores.Tests.ZooKeeper;

/// <summary>
/// A fake ZooKeeper server on a loopback port that runs a script per accepted connection: it
/// answers the handshake properly (or not) and then sends whatever bytes the test wants.
/// </summary>
internal sealed class ScriptedServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;
    private int _connections;

    public ScriptedServer(Func<NetworkStream, CancellationToken, Task> script)
    {
        _listener.Start();
        _accept = Task.Run(async () =>
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    Interlocked.Increment(ref _connections);
                    _ = Task.Run(async () =>
                    {
                        using (client)
                        {
                            try
                            {
                                await script(client.GetStream(), _stop.Token);
                            }
                            catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException)
                            {
                            }
                        }
                    });
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    public string EndPoint => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Reads one length-prefixed frame.</summary>
    public static async Task<byte[]> ReadFrameAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var header = new byte[4];
        await stream.ReadExactlyAsync(header, cancellationToken);
        var body = new byte[BinaryPrimitives.ReadInt32BigEndian(header)];
        await stream.ReadExactlyAsync(body, cancellationToken);
        return body;
    }

    /// <summary>Reads the connect request and answers with a live session (timeout 6 s).</summary>
    public static async Task HandshakeAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        await ReadFrameAsync(stream, cancellationToken);
        var body = new byte[4 + 4 + 8 + 4 + 16 + 1];
        BinaryPrimitives.WriteInt32BigEndian(body.AsSpan(0), 0);
        BinaryPrimitives.WriteInt32BigEndian(body.AsSpan(4), 6000);
        BinaryPrimitives.WriteInt64BigEndian(body.AsSpan(8), 0x1234);
        BinaryPrimitives.WriteInt32BigEndian(body.AsSpan(16), 16);
        await WriteFrameAsync(stream, body, cancellationToken);
    }

    public static async Task WriteFrameAsync(NetworkStream stream, byte[] body, CancellationToken cancellationToken)
    {
        var frame = new byte[4 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, body.Length);
        body.CopyTo(frame, 4);
        await stream.WriteAsync(frame, cancellationToken);
    }

    /// <summary>A reply header (xid, zxid, err) followed by <paramref name="extra"/>.</summary>
    public static byte[] Reply(int xid, long zxid, int err, params byte[] extra)
    {
        var body = new byte[16 + extra.Length];
        BinaryPrimitives.WriteInt32BigEndian(body.AsSpan(0), xid);
        BinaryPrimitives.WriteInt64BigEndian(body.AsSpan(4), zxid);
        BinaryPrimitives.WriteInt32BigEndian(body.AsSpan(12), err);
        extra.CopyTo(body, 16);
        return body;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accept;
        _stop.Dispose();
    }
}

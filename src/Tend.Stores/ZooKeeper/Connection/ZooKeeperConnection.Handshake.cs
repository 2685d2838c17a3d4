using System.Buffers.Binary;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Tend.Stores.ZooKeeper.Protocol;

namespace Tend.Stores.ZooKeeper.Connection;

/// <summary>Opening a connection: connect, send the ConnectRequest, read the ConnectResponse, all blocking (see the remarks on the class).</summary>
internal sealed partial class ZooKeeperConnection
{
    private static ZooKeeperConnection Open(string host, int port, ConnectRequest request, TimeSpan timeout, ILogger logger, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var registration = cts.Token.Register(static s => ((Socket)s!).Dispose(), socket);
        cts.CancelAfter(timeout);
        try
        {
            socket.Connect(host, port);
            socket.SendTimeout = socket.ReceiveTimeout = (int)Math.Max(1, timeout.TotalMilliseconds);
            var w = new JuteWriter();
            request.Write(w);
            socket.Send(w.ToFrame().Span);
            var header = new byte[4];
            ReceiveExactly(socket, header);
            var frame = new byte[CheckLength(BinaryPrimitives.ReadInt32BigEndian(header))];
            ReceiveExactly(socket, frame);
            var r = new JuteReader(frame);
            var response = ConnectResponse.Read(ref r);

            // After this, the timeout can no longer close the socket under the new connection.
            registration.Dispose();
            cts.Token.ThrowIfCancellationRequested();
            var connection = new ZooKeeperConnection(socket, $"{host}:{port}", response, logger);
            ConnectionLog.Established(logger, connection.EndPoint, response.SessionId, response.TimeoutMs);
            return connection;
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested)
        {
            registration.Dispose();
            socket.Dispose();
            throw new OperationCanceledException("Connecting was cancelled.", ex, cancellationToken);
        }
        catch (Exception ex) when (cts.IsCancellationRequested)
        {
            registration.Dispose();
            socket.Dispose();
            throw new ZooKeeperConnectionLossException($"Connecting to {host}:{port} timed out after {timeout.TotalMilliseconds:0} ms.", ex);
        }
        catch (Exception ex) when (ex is SocketException or IOException or ZooKeeperProtocolException)
        {
            registration.Dispose();
            socket.Dispose();
            throw new ZooKeeperConnectionLossException($"Connecting to {host}:{port} failed: {ex.Message}", ex);
        }
        catch
        {
            registration.Dispose();
            socket.Dispose();
            throw;
        }
    }

    private static void ReceiveExactly(Socket socket, Span<byte> buffer)
    {
        while (buffer.Length > 0)
        {
            int n = socket.Receive(buffer);
            if (n == 0)
            {
                throw new IOException("The server closed the connection.");
            }

            buffer = buffer[n..];
        }
    }
}

using System.Globalization;
using System.Net.Sockets;
using System.Threading.Channels;
using Tend.Stores.ZooKeeper;
using Tend.Stores.ZooKeeper.Protocol;
using Tend.Stores.ZooKeeper.Session;

namespace Tend.Stores.Tests.ZooKeeper;

/// <summary>
/// Expires a client's session the way ZooKeeper's own tests do: attach a second connection with the
/// same id and password, then close the session from it; waits until the client saw the expiry and
/// is connected again on a new session.
/// </summary>
internal static class SessionExpiry
{
    public static async Task ExpireAsync(ZooKeeperClient client)
    {
        var states = Channel.CreateUnbounded<ZooKeeperState>();
        void OnState(ZooKeeperState s) => states.Writer.TryWrite(s);
        client.StateChanged += OnState;
        try
        {
            for (int attempt = 0; attempt < 5; attempt++)
            {
                await client.ConnectAsync();
                try
                {
                    await CloseFromIntruderAsync(client);
                }
                catch (ZooKeeperConnectionLossException)
                {
                    // The server refused the second attachment (e.g. the session was just moving): try again.
                    await Task.Delay(200);
                    continue;
                }

                // The client may re-attach between the intruder's handshake and its closeSession,
                // which moves the session back and saves it: then try again.
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(8));
                bool expired = false;
                try
                {
                    while (true)
                    {
                        var s = await states.Reader.ReadAsync(cts.Token);
                        expired |= s == ZooKeeperState.Expired;
                        if (expired && s == ZooKeeperState.Connected)
                        {
                            return;
                        }
                    }
                }
                catch (OperationCanceledException) when (!expired)
                {
                }
            }

            throw new TimeoutException("Could not expire the session.");
        }
        finally
        {
            client.StateChanged -= OnState;
        }
    }

    private static async Task CloseFromIntruderAsync(ZooKeeperClient client)
    {
        var endPoint = client.CurrentEndPoint ?? throw new InvalidOperationException("not connected");
        int colon = endPoint.LastIndexOf(':');

        // The handshake and the closeSession leave in one write, so the server handles both before
        // the client (whose connection the attachment closes) can re-attach and save the session.
        var connect = new JuteWriter();
        new ConnectRequest(0, 6000, client.SessionId, client.SessionPassword, false).Write(connect);
        var close = new JuteWriter();
        new RequestHeader(1, OpCode.CloseSession).Write(close);
        using var socket = new TcpClient();
        await socket.ConnectAsync(endPoint[..colon], int.Parse(endPoint[(colon + 1)..], CultureInfo.InvariantCulture));
        var stream = socket.GetStream();
        await stream.WriteAsync((byte[])[.. connect.ToFrame().Span, .. close.ToFrame().Span]);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var buffer = new byte[4096];
        try
        {
            while (await stream.ReadAsync(buffer, cts.Token) > 0)
            {
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
        }
    }
}

using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Tend.Stores.ZooKeeper;
using Tend.Stores.ZooKeeper.Connection;
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
                await CloseFromIntruderAsync(client);

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
        var request = new ConnectRequest(0, 6000, client.SessionId, client.SessionPassword, false);
        await using var intruder = await ZooKeeperConnection.OpenAsync(endPoint[..colon], int.Parse(endPoint[(colon + 1)..], CultureInfo.InvariantCulture), request, TimeSpan.FromSeconds(5), NullLogger.Instance);
        intruder.Start();
        try
        {
            await intruder.SendAsync(CloseSessionRequest.Instance, static (ref JuteReader _) => true).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (ZooKeeperConnectionLossException)
        {
            // The server may close the connection before the reply to closeSession is out.
        }
    }
}

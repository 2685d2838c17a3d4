using System.Buffers.Binary;
using System.Text;
using Tend.Core.Kv;
using Tend.Stores.ZooKeeper;
using Tend.Stores.ZooKeeper.Protocol;
using Tend.Stores.ZooKeeper.Session;
using Tend.Testing;
using Xunit;

namespace Tend.Stores.Tests.ZooKeeper;

/// <summary>Broken servers (scripted on a loopback socket) must cost a connection, never the process or a hang.</summary>
public sealed class ZooKeeperConnectionFaultTests
{
    [Fact]
    public async Task Request_ServerSendsOversizedLength_ConnectionLossAndReconnect()
    {
        await using var server = new ScriptedServer(async (stream, ct) =>
        {
            await ScriptedServer.HandshakeAsync(stream, ct);
            await ScriptedServer.ReadFrameAsync(stream, ct);
            var huge = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(huge, 512 * 1024 * 1024);
            await stream.WriteAsync(huge, ct);
            await Task.Delay(Timeout.Infinite, ct);
        });
        await using var client = NewClient(server.EndPoint);

        var ex = await Assert.ThrowsAsync<ZooKeeperConnectionLossException>(() => client.GetDataAsync("/x"));
        Assert.IsType<ZooKeeperProtocolException>(ex.InnerException);
        await WaitUntilAsync(() => server.Connections >= 2);
    }

    [Fact]
    public async Task Request_ServerSendsGarbageFrame_ConnectionLoss()
    {
        await using var server = new ScriptedServer(async (stream, ct) =>
        {
            await ScriptedServer.HandshakeAsync(stream, ct);
            await ScriptedServer.ReadFrameAsync(stream, ct);

            // Three bytes cannot hold a reply header.
            await ScriptedServer.WriteFrameAsync(stream, [1, 2, 3], ct);
            await Task.Delay(Timeout.Infinite, ct);
        });
        await using var client = NewClient(server.EndPoint);

        var ex = await Assert.ThrowsAsync<ZooKeeperConnectionLossException>(() => client.ExistsAsync("/x"));
        Assert.IsType<ZooKeeperProtocolException>(ex.InnerException);
    }

    [Fact]
    public async Task Request_ReplyWithUnexpectedXid_ConnectionLoss()
    {
        await using var server = new ScriptedServer(async (stream, ct) =>
        {
            await ScriptedServer.HandshakeAsync(stream, ct);
            await ScriptedServer.ReadFrameAsync(stream, ct);
            await ScriptedServer.WriteFrameAsync(stream, ScriptedServer.Reply(999, 5, 0), ct);
            await Task.Delay(Timeout.Infinite, ct);
        });
        await using var client = NewClient(server.EndPoint);

        var ex = await Assert.ThrowsAsync<ZooKeeperConnectionLossException>(() => client.DeleteAsync("/x"));
        Assert.Contains("999", ex.InnerException!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_TruncatedReplyBody_ConnectionLoss()
    {
        await using var server = new ScriptedServer(async (stream, ct) =>
        {
            await ScriptedServer.HandshakeAsync(stream, ct);
            var request = await ScriptedServer.ReadFrameAsync(stream, ct);
            int xid = BinaryPrimitives.ReadInt32BigEndian(request);

            // A getData reply whose data length claims more bytes than the frame holds.
            await ScriptedServer.WriteFrameAsync(stream, ScriptedServer.Reply(xid, 5, 0, 0, 0, 1, 0, 42), ct);
            await Task.Delay(Timeout.Infinite, ct);
        });
        await using var client = NewClient(server.EndPoint);

        await Assert.ThrowsAsync<ZooKeeperConnectionLossException>(() => client.GetDataAsync("/x"));
    }

    [Fact]
    public async Task Handshake_ServerClosesAtOnce_StoreReportsUnavailable()
    {
        await using var server = new ScriptedServer((stream, ct) => Task.CompletedTask);
        await using var store = new ZooKeeperKvStore(new KvStoreOptions { Endpoints = [server.EndPoint], RequestTimeout = TimeSpan.FromSeconds(1.5) });

        await Assert.ThrowsAsync<KvStoreUnavailableException>(() => store.GetAsync("/x"));
        Assert.True(server.Connections >= 2, "the session keeps trying");
    }

    [Fact]
    public async Task Notification_FromServer_DeliveredToRecursiveWatch()
    {
        var watchAcked = new TaskCompletionSource();
        await using var server = new ScriptedServer(async (stream, ct) =>
        {
            await ScriptedServer.HandshakeAsync(stream, ct);
            var request = await ScriptedServer.ReadFrameAsync(stream, ct);
            int xid = BinaryPrimitives.ReadInt32BigEndian(request);
            Assert.Equal(106, BinaryPrimitives.ReadInt32BigEndian(request.AsSpan(4)));
            await ScriptedServer.WriteFrameAsync(stream, ScriptedServer.Reply(xid, 7, 0), ct);
            var path = Encoding.UTF8.GetBytes("/w/child");
            var evt = new byte[12 + path.Length];
            BinaryPrimitives.WriteInt32BigEndian(evt.AsSpan(0), (int)ZooKeeperEventType.NodeDataChanged);
            BinaryPrimitives.WriteInt32BigEndian(evt.AsSpan(4), 3);
            BinaryPrimitives.WriteInt32BigEndian(evt.AsSpan(8), path.Length);
            path.CopyTo(evt, 12);
            await ScriptedServer.WriteFrameAsync(stream, ScriptedServer.Reply(-1, -1, 0, evt), ct);
            await Task.Delay(Timeout.Infinite, ct);
        });
        await using var client = NewClient(server.EndPoint);
        var seen = new TaskCompletionSource<ZooKeeperWatchEvent>();
        await client.AddPersistentRecursiveWatchAsync("/w", e => seen.TrySetResult(e));
        var e = await seen.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(new ZooKeeperWatchEvent(ZooKeeperEventType.NodeDataChanged, "/w/child"), e);
    }

    [Fact]
    public async Task Auth_ServerRejectsCredentials_AuthFailedStateAndKvAuthenticationException()
    {
        await using var server = new ScriptedServer(async (stream, ct) =>
        {
            await ScriptedServer.HandshakeAsync(stream, ct);
            var auth = await ScriptedServer.ReadFrameAsync(stream, ct);
            Assert.Equal(-4, BinaryPrimitives.ReadInt32BigEndian(auth));
            await ScriptedServer.WriteFrameAsync(stream, ScriptedServer.Reply(-4, 0, (int)ZooKeeperErrorCode.AuthFailed), ct);
        });
        await using var store = new ZooKeeperKvStore(new KvStoreOptions { Endpoints = [server.EndPoint], Username = "alice", Password = "wrong", RequestTimeout = TimeSpan.FromSeconds(5) });

        var ex = await Assert.ThrowsAsync<KvAuthenticationException>(() => store.GetAsync("/x"));
        Assert.Contains("authentication failed", ex.Message, StringComparison.Ordinal);
        Assert.Equal(ZooKeeperState.AuthFailed, store.Client.State);
        Assert.Equal(1, server.Connections);
    }

    [Fact]
    public async Task Watch_ServerWithoutAddWatch_FallsBackToOneShotWatches()
    {
        var sawOneShotWatch = false;
        await using var server = new ScriptedServer(async (stream, ct) =>
        {
            // A pre-3.6 server: addWatch is unknown; /svc appears once the client waits for it.
            await ScriptedServer.HandshakeAsync(stream, ct);
            bool created = false;
            while (true)
            {
                var request = await ScriptedServer.ReadFrameAsync(stream, ct);
                int xid = BinaryPrimitives.ReadInt32BigEndian(request);
                int type = BinaryPrimitives.ReadInt32BigEndian(request.AsSpan(4));
                int pathLength = type is 3 or 4 or 12 ? BinaryPrimitives.ReadInt32BigEndian(request.AsSpan(8)) : 0;
                bool watch = type is 3 or 4 or 12 && request[12 + pathLength] == 1;
                sawOneShotWatch |= watch;
                byte[] reply = type switch
                {
                    -2 => ScriptedServer.Reply(-2, 42, 0),
                    106 => ScriptedServer.Reply(xid, 42, (int)ZooKeeperErrorCode.Unimplemented),
                    4 when created => ScriptedServer.Reply(xid, 42, 0, [0, 0, 0, 1, (byte)'v', .. Stat(42, numChildren: 0)]),
                    12 when created => ScriptedServer.Reply(xid, 42, 0, [0, 0, 0, 0, .. Stat(42, numChildren: 0)]),
                    3 when created => ScriptedServer.Reply(xid, 42, 0, Stat(42, numChildren: 0)),
                    3 or 4 or 12 => ScriptedServer.Reply(xid, 41, (int)ZooKeeperErrorCode.NoNode),
                    _ => ScriptedServer.Reply(xid, 41, (int)ZooKeeperErrorCode.Unimplemented),
                };
                await ScriptedServer.WriteFrameAsync(stream, reply, ct);
                if (type == 3 && watch && !created)
                {
                    created = true;
                    var path = Encoding.UTF8.GetBytes("/svc");
                    byte[] evt = [0, 0, 0, (byte)ZooKeeperEventType.NodeCreated, 0, 0, 0, 3, 0, 0, 0, (byte)path.Length, .. path];
                    await ScriptedServer.WriteFrameAsync(stream, ScriptedServer.Reply(-1, -1, 0, evt), ct);
                }
            }
        });
        await using var store = new ZooKeeperKvStore(new KvStoreOptions { Endpoints = [server.EndPoint], RequestTimeout = TimeSpan.FromSeconds(5) });

        await using var watch = new Tend.Testing.WatchReader(store, "/svc", 0, TimeSpan.FromSeconds(10));
        var change = Assert.Single(await watch.TakeChangesAsync(1));
        Assert.Equal((KvChangeKind.Put, "/svc", "v", 42L), (change.Kind, change.Key, change.Value, change.Revision));
        Assert.True(sawOneShotWatch);
    }

    private static byte[] Stat(long zxid, int numChildren)
    {
        var stat = new byte[68];
        BinaryPrimitives.WriteInt64BigEndian(stat.AsSpan(0), zxid);   // czxid
        BinaryPrimitives.WriteInt64BigEndian(stat.AsSpan(8), zxid);   // mzxid
        BinaryPrimitives.WriteInt32BigEndian(stat.AsSpan(52), 1);     // dataLength
        BinaryPrimitives.WriteInt32BigEndian(stat.AsSpan(56), numChildren);
        BinaryPrimitives.WriteInt64BigEndian(stat.AsSpan(60), zxid);  // pzxid
        return stat;
    }

    [Fact]
    public async Task Request_ServerReadsButNeverAnswers_ConnectionLossNotHang()
    {
        // The reader blocks in a socket read: the read timeout (two thirds of the 6 s session) must end it.
        await using var server = new ScriptedServer(async (stream, ct) =>
        {
            await ScriptedServer.HandshakeAsync(stream, ct);
            while (true)
            {
                await ScriptedServer.ReadFrameAsync(stream, ct);
            }
        });
        await using var client = new ZooKeeperClient(new ZooKeeperClientOptions { ConnectString = server.EndPoint, RequestTimeout = TimeSpan.FromSeconds(30), SessionTimeout = TimeSpan.FromSeconds(6) });

        var ex = await Assert.ThrowsAsync<ZooKeeperConnectionLossException>(() => client.GetDataAsync("/x"));
        Assert.Contains("No reply", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectionLost_FailedRequestsContinuationBlocksOnARetry_RetryGetsTheNextConnection()
    {
        // The first connection dies under a request; that request's continuation synchronously
        // waits for a request that only the next connection can answer.
        int connections = 0;
        await using var server = new ScriptedServer(async (stream, ct) =>
        {
            bool first = Interlocked.Increment(ref connections) == 1;
            await ScriptedServer.HandshakeAsync(stream, ct);
            var request = await ScriptedServer.ReadFrameAsync(stream, ct);
            while (!first)
            {
                int xid = BinaryPrimitives.ReadInt32BigEndian(request);
                await ScriptedServer.WriteFrameAsync(stream, ScriptedServer.Reply(xid, 7, (int)ZooKeeperErrorCode.NoNode), ct);
                request = await ScriptedServer.ReadFrameAsync(stream, ct);
            }
        });
        await using var client = NewClient(server.EndPoint);
        await client.ConnectAsync();

        var retried = client.GetDataAsync("/x").ContinueWith(
            failed =>
            {
                Assert.IsType<ZooKeeperConnectionLossException>(failed.Exception?.InnerException);
                return client.GetDataAsync("/y").GetAwaiter().GetResult();
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

        Assert.Null(await retried.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(2, server.Connections);
    }

    private static ZooKeeperClient NewClient(string endPoint) =>
        new(new ZooKeeperClientOptions { ConnectString = endPoint, RequestTimeout = TimeSpan.FromSeconds(5), SessionTimeout = TimeSpan.FromSeconds(6) });

    private static Task WaitUntilAsync(Func<bool> condition) => Poll.UntilAsync(condition, TimeSpan.FromSeconds(5));
}

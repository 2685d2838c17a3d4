using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Tend.Stores.ZooKeeper.Protocol;

namespace Tend.Stores.ZooKeeper.Connection;

/// <summary>
/// One TCP connection to one server: the handshake, framing, request ids in send order, matching
/// replies (which come back in order) to pending requests, pings, and notifications. Any I/O or
/// protocol error kills it: every pending request fails with <see cref="ZooKeeperConnectionLossException"/>
/// and nothing is ever sent on it again. Reconnecting is the session's job.
/// </summary>
internal sealed class ZooKeeperConnection : IAsyncDisposable
{
    /// <summary>The largest frame accepted: ZooKeeper's default jute.maxbuffer is 1 MiB; anything past 4 MiB plus slack is garbage.</summary>
    public const int MaxFrameLength = (4 * 1024 * 1024) + (64 * 1024);

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly BufferedStream _input;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Queue<PendingRequest> _pending = new();
    private readonly Queue<PendingRequest> _pendingAuth = new();
    // Synchronous continuations: the thread that queues a frame onto an idle connection writes it to
    // the socket itself, instead of waking a thread-pool thread (which costs milliseconds on a busy box).
    private readonly Channel<ReadOnlyMemory<byte>> _outgoing = Channel.CreateUnbounded<ReadOnlyMemory<byte>>(new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = true });
    private readonly TaskCompletionSource<Exception> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private int _nextXid = 1;
    private int _disposed;
    private Exception? _dead;
    private long _lastSend = Environment.TickCount64;
    private long _lastReceive = Environment.TickCount64;
    private Task _loops = Task.CompletedTask;

    private ZooKeeperConnection(Socket socket, string endPoint, ConnectResponse handshake, ILogger logger)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _input = new BufferedStream(_stream, 64 * 1024);
        EndPoint = endPoint;
        Handshake = handshake;
        _logger = logger;
    }

    /// <summary><c>host:port</c> of the server.</summary>
    public string EndPoint { get; }

    /// <summary>What the server answered to the handshake.</summary>
    public ConnectResponse Handshake { get; }

    /// <summary>Completes (with the reason) when the connection is dead.</summary>
    public Task<Exception> Closed => _closed.Task;

    public bool IsAlive => Volatile.Read(ref _dead) is null;

    /// <summary>Called on the receive loop for each watch notification; must not block.</summary>
    public Action<WatcherEvent>? NotificationReceived { get; set; }

    /// <summary>Called on the receive loop with the zxid of every reply that carries one.</summary>
    public Action<long>? ZxidSeen { get; set; }

    /// <summary>Connects and performs the handshake; the connection starts reading once <see cref="Start"/> is called.</summary>
    public static async Task<ZooKeeperConnection> OpenAsync(string host, int port, ConnectRequest request, TimeSpan timeout, ILogger logger, CancellationToken cancellationToken = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, cts.Token).ConfigureAwait(false);
            var w = new JuteWriter();
            request.Write(w);
            await socket.SendAsync(w.ToFrame(), SocketFlags.None, cts.Token).ConfigureAwait(false);
            var frame = await ReadFrameAsync(socket, cts.Token).ConfigureAwait(false);
            var r = new JuteReader(frame);
            var response = ConnectResponse.Read(ref r);
            var connection = new ZooKeeperConnection(socket, $"{host}:{port}", response, logger);
            ConnectionLog.Established(logger, connection.EndPoint, response.SessionId, response.TimeoutMs);
            return connection;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new ZooKeeperConnectionLossException($"Connecting to {host}:{port} timed out after {timeout.TotalMilliseconds:0} ms.");
        }
        catch (Exception ex) when (ex is SocketException or IOException or ZooKeeperProtocolException)
        {
            socket.Dispose();
            throw new ZooKeeperConnectionLossException($"Connecting to {host}:{port} failed: {ex.Message}", ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Starts the send, receive and ping loops.</summary>
    public void Start()
    {
        _lastReceive = _lastSend = Environment.TickCount64;
        _loops = Task.WhenAll(Task.Run(SendLoopAsync), Task.Run(ReceiveLoopAsync), Task.Run(PingLoopAsync));
    }

    /// <summary>Queues a request; the id is assigned now, so requests go out (and replies come back) in call order.</summary>
    public Task<Reply<T>> SendAsync<T>(IJuteRequest request, ResponseParser<T> parser, int? reservedXid = null)
    {
        // Serialise outside the lock, and before anything is queued: a request too large to send
        // fails alone and leaves the connection (and the order of its replies) intact.
        Memory<byte> frame;
        try
        {
            frame = Serialize(request);
        }
        catch (ZooKeeperException ex)
        {
            return Task.FromException<Reply<T>>(ex);
        }

        lock (_gate)
        {
            if (_dead is not null)
            {
                return Task.FromException<Reply<T>>(new ZooKeeperConnectionLossException($"The connection to {EndPoint} is closed.", _dead));
            }

            int xid = reservedXid ?? (request.Type == OpCode.Auth ? Xids.Auth : _nextXid++);
            if (_nextXid == int.MaxValue)
            {
                _nextXid = 1;
            }

            BinaryPrimitives.WriteInt32BigEndian(frame.Span[4..], xid);
            var pending = new PendingRequest<T>(xid, request.Type, parser);
            (request.Type == OpCode.Auth ? _pendingAuth : _pending).Enqueue(pending);
            _outgoing.Writer.TryWrite(frame);
            return pending.Task;
        }
    }

    /// <summary>Kills the connection: pending requests fail with a connection loss, the socket closes.</summary>
    public void Kill(Exception reason)
    {
        List<PendingRequest> failed;
        lock (_gate)
        {
            if (_dead is not null)
            {
                return;
            }

            _dead = reason;
            failed = [.. _pending, .. _pendingAuth];
            _pending.Clear();
            _pendingAuth.Clear();
            _outgoing.Writer.TryComplete();
        }

        ConnectionLog.Lost(_logger, EndPoint, reason.Message);
        _stop.Cancel();
        _socket.Dispose();
        var loss = reason as ZooKeeperConnectionLossException ?? new ZooKeeperConnectionLossException($"The connection to {EndPoint} was lost: {reason.Message}", reason);
        foreach (var p in failed)
        {
            p.Fail(loss);
        }

        _closed.TrySetResult(reason);
    }

    public async ValueTask DisposeAsync()
    {
        Kill(new ZooKeeperConnectionLossException($"The connection to {EndPoint} was closed by the client."));

        // The session's run loop and its owner may both dispose a dying connection.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        try
        {
            await _loops.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
        }

        await _input.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private static async Task<byte[]> ReadFrameAsync(Socket socket, CancellationToken cancellationToken)
    {
        var header = new byte[4];
        await ReceiveExactlyAsync(socket, header, cancellationToken).ConfigureAwait(false);
        int length = CheckLength(BinaryPrimitives.ReadInt32BigEndian(header));
        var body = new byte[length];
        await ReceiveExactlyAsync(socket, body, cancellationToken).ConfigureAwait(false);
        return body;
    }

    private static async Task ReceiveExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (buffer.Length > 0)
        {
            int n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                throw new IOException("The server closed the connection.");
            }

            buffer = buffer[n..];
        }
    }

    private static int CheckLength(int length)
    {
        if (length < 0 || length > MaxFrameLength)
        {
            throw new ZooKeeperProtocolException($"Frame length {length} is outside 0..{MaxFrameLength}.");
        }

        return length;
    }

    private static Memory<byte> Serialize(IJuteRequest request)
    {
        var w = new JuteWriter();
        new RequestHeader(0, request.Type).Write(w);
        request.Write(w);
        if (w.BodyLength > MaxFrameLength)
        {
            throw new ZooKeeperException(ZooKeeperErrorCode.MarshallingError, $"A {request.Type} request of {w.BodyLength} bytes exceeds the frame limit of {MaxFrameLength}.", null);
        }

        return MemoryMarshal.AsMemory(w.ToFrame());
    }

    private void Enqueue(int xid, IJuteRequest request)
    {
        var frame = Serialize(request);
        BinaryPrimitives.WriteInt32BigEndian(frame.Span[4..], xid);
        _outgoing.Writer.TryWrite(frame);
    }

    private async Task SendLoopAsync()
    {
        var batch = new List<ArraySegment<byte>>();
        try
        {
            var reader = _outgoing.Reader;
            while (await reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                batch.Clear();

                // Pipelined requests that queued up meanwhile go out in one send call.
                while (batch.Count < 256 && reader.TryRead(out var frame))
                {
                    batch.Add(MemoryMarshal.TryGetArray(frame, out var segment) ? segment : new ArraySegment<byte>(frame.ToArray()));
                }

                await _socket.SendAsync(batch, SocketFlags.None).ConfigureAwait(false);
                Volatile.Write(ref _lastSend, Environment.TickCount64);
            }
        }
        catch (Exception ex)
        {
            Kill(ex);
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var header = new byte[4];
        try
        {
            while (true)
            {
                await _input.ReadExactlyAsync(header, _stop.Token).ConfigureAwait(false);
                int length = CheckLength(BinaryPrimitives.ReadInt32BigEndian(header));
                var body = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
                try
                {
                    await _input.ReadExactlyAsync(body.AsMemory(0, length), _stop.Token).ConfigureAwait(false);
                    Volatile.Write(ref _lastReceive, Environment.TickCount64);
                    Dispatch(body.AsSpan(0, length));
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(body);
                }
            }
        }
        catch (Exception ex)
        {
            Kill(ex is EndOfStreamException ? new IOException("The server closed the connection.", ex) : ex);
        }
    }

    private void Dispatch(ReadOnlySpan<byte> frame)
    {
        var r = new JuteReader(frame);
        var header = ReplyHeader.Read(ref r);
        if (header.Zxid > 0)
        {
            ZxidSeen?.Invoke(header.Zxid);
        }

        switch (header.Xid)
        {
            case Xids.Notification:
                NotificationReceived?.Invoke(WatcherEvent.Read(ref r));
                return;
            case Xids.Ping:
                return;
            case Xids.Auth:
                // The server answers auth packets outside the request pipeline, so they have their own queue.
                PendingRequest? auth;
                lock (_gate)
                {
                    _pendingAuth.TryDequeue(out auth);
                }

                if (auth is null)
                {
                    throw new ZooKeeperProtocolException("An auth reply arrived but no auth request is pending.");
                }

                auth.Complete(header, ref r);
                if (header.Error == ZooKeeperErrorCode.AuthFailed)
                {
                    // The server closes the connection after a failed auth; say why before it does.
                    Kill(new ZooKeeperException(ZooKeeperErrorCode.AuthFailed, "The server rejected the credentials.", null));
                }

                return;
        }

        PendingRequest? pending;
        lock (_gate)
        {
            _pending.TryDequeue(out pending);
        }

        if (pending is null || pending.Xid != header.Xid)
        {
            // Replies come back in request order; anything else means the stream cannot be trusted.
            var error = new ZooKeeperProtocolException($"Reply for request id {header.Xid} but {(pending is null ? "none is pending" : $"{pending.Xid} is next")}.");
            pending?.Fail(new ZooKeeperConnectionLossException($"The connection to {EndPoint} broke: {error.Message}", error));
            throw error;
        }

        try
        {
            pending.Complete(header, ref r);
        }
        catch (Exception ex)
        {
            pending.Fail(new ZooKeeperConnectionLossException($"The reply to a {pending.Type} request could not be decoded: {ex.Message}", ex));
            throw;
        }
    }

    private async Task PingLoopAsync()
    {
        int timeout = Math.Max(Handshake.TimeoutMs, 300);
        int pingEvery = timeout / 3;
        int readTimeout = timeout * 2 / 3;
        try
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(Math.Max(20, pingEvery / 4)));
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                long now = Environment.TickCount64;
                if (now - Volatile.Read(ref _lastReceive) > readTimeout)
                {
                    Kill(new ZooKeeperConnectionLossException($"No reply from {EndPoint} for {readTimeout} ms."));
                    return;
                }

                if (now - Volatile.Read(ref _lastSend) >= pingEvery)
                {
                    lock (_gate)
                    {
                        if (_dead is not null)
                        {
                            return;
                        }

                        Enqueue(Xids.Ping, PingRequest.Instance);
                    }

                    Volatile.Write(ref _lastSend, now);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}

using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Tend.Stores.ZooKeeper.Protocol;

namespace Tend.Stores.ZooKeeper.Connection;

/// <summary>
/// One TCP connection to one server: the handshake, framing, request ids in send order, matching
/// replies (which come back in order) to pending requests, pings, and notifications. Any I/O or
/// protocol error kills it: every pending request fails with <see cref="ZooKeeperConnectionLossException"/>
/// and nothing is ever sent on it again. Reconnecting is the session's job.
/// </summary>
/// <remarks>
/// <para>The socket is only ever used with blocking calls: a .NET socket that has seen one
/// asynchronous call stays non-blocking, and every later read then goes through the runtime's
/// event thread and the thread pool (two wake-ups per reply instead of one).</para>
/// <para><b>Replies.</b> A dedicated reader thread reads frames and completes each reply's task
/// inline, so the awaiting code (ours, then the caller's) runs on the reader without a thread-pool
/// hop. The reader marks itself busy around every callback; a watchdog thread, awake only while
/// callbacks run, gives the socket to a new reader thread when one callback has been running for a
/// whole period (<see cref="StallMilliseconds"/>): a continuation that blocks (say on another
/// request's <c>.Result</c>) or computes for long delays the replies behind it by at most two
/// periods and never deadlocks. The old reader, when its callback returns, sees it lost the socket
/// and ends. Idle, the watchdog parks after one quiet period.</para>
/// <para><b>Requests.</b> Frames are queued under the lock that assigns their ids. When nobody is
/// sending, the caller writes the queue itself (one syscall); a request that follows the end of
/// the previous write within <see cref="BurstWindowMicroseconds"/> (a caller pipelining in a loop)
/// leaves the write to a thread-pool flusher instead, which sends everything queued meanwhile in
/// one syscall per 256 KiB.</para>
/// </remarks>
internal sealed class ZooKeeperConnection : IAsyncDisposable
{
    /// <summary>The largest frame accepted: ZooKeeper's default jute.maxbuffer is 1 MiB; anything past 4 MiB plus slack is garbage.</summary>
    public const int MaxFrameLength = (4 * 1024 * 1024) + (64 * 1024);

    /// <summary>How long one callback may hold the reader before another thread takes the socket.</summary>
    public const int StallMilliseconds = 4;

    /// <summary>A request this soon after the previous write is part of a burst and is written by the flusher.</summary>
    public const int BurstWindowMicroseconds = 20;

    private const int ReceiveBufferSize = 64 * 1024;
    private const int SendBufferSize = 256 * 1024;
    private static readonly long BurstWindowTicks = Stopwatch.Frequency * BurstWindowMicroseconds / 1_000_000;

    private readonly Socket _socket;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Queue<PendingRequest> _pending = new();
    private readonly Queue<PendingRequest> _pendingAuth = new();
    private readonly TaskCompletionSource<Exception> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Timer _pinger;
    private readonly object _watchdogGate = new();
    private readonly int _pingEvery;
    private readonly int _readTimeout;

    // Guarded by _gate.
    private List<ReadOnlyMemory<byte>> _outgoing = [];
    private bool _flushing;
    private int _nextXid = 1;
    private Exception? _dead;

    // Owned by whoever set _flushing.
    private List<ReadOnlyMemory<byte>> _writing = [];
    private byte[] _sendBuffer = new byte[4096];
    private long _lastFlushEnd;
    private int _deferredFlush;

    // Owned by the reader thread of the current epoch (see _readerState).
    private byte[] _receiveBuffer = new byte[ReceiveBufferSize];
    private int _receiveStart;
    private int _receiveEnd;

    // (epoch << 1) | busy: the epoch names the thread that owns the socket's read side; busy is set
    // while that thread runs callbacks. The watchdog takes the socket away with a compare-exchange
    // that moves to the next epoch, so exactly one of it and the returning callback wins.
    private int _readerState;
    private long _callbacks;
    private long _callbacksSeen;
    private int _watchdogArmed;
    private long _lastSend = Environment.TickCount64;

    private ZooKeeperConnection(Socket socket, string endPoint, ConnectResponse handshake, ILogger logger)
    {
        _socket = socket;
        EndPoint = endPoint;
        Handshake = handshake;
        _logger = logger;
        int timeout = Math.Max(handshake.TimeoutMs, 300);
        _pingEvery = timeout / 3;
        _readTimeout = timeout * 2 / 3;

        // The server answers pings, so a read that waits longer than this means a dead server;
        // a write that waits as long means one that stopped reading.
        _socket.ReceiveTimeout = _readTimeout;
        _socket.SendTimeout = _readTimeout;
        _pinger = new Timer(static s => ((ZooKeeperConnection)s!).OnPingTimer(), this, Timeout.Infinite, Timeout.Infinite);
    }

    /// <summary><c>host:port</c> of the server.</summary>
    public string EndPoint { get; }

    /// <summary>What the server answered to the handshake.</summary>
    public ConnectResponse Handshake { get; }

    /// <summary>Completes (with the reason) when the connection is dead.</summary>
    public Task<Exception> Closed => _closed.Task;

    public bool IsAlive => Volatile.Read(ref _dead) is null;

    /// <summary>Called on the reader for each watch notification, in stream order; keep it short.</summary>
    public Action<WatcherEvent>? NotificationReceived { get; set; }

    /// <summary>Called once, synchronously, when the connection dies, before its pending requests fail.</summary>
    public Action? Dying { get; set; }

    /// <summary>Called on the reader with the zxid of every reply that carries one.</summary>
    public Action<long>? ZxidSeen { get; set; }

    /// <summary>How many times the watchdog gave the socket to a new reader (tests and diagnostics).</summary>
    public int ReaderHandOffs => Volatile.Read(ref _readerState) >> 1;

    /// <summary>Connects and performs the handshake; the connection starts reading once <see cref="Start"/> is called.</summary>
    public static Task<ZooKeeperConnection> OpenAsync(string host, int port, ConnectRequest request, TimeSpan timeout, ILogger logger, CancellationToken cancellationToken = default) =>
        // Blocking calls (see the remarks), on a thread of their own: a connect may wait for the whole timeout.
        Task.Factory.StartNew(() => Open(host, port, request, timeout, logger, cancellationToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>Starts the reader thread and the ping timer.</summary>
    public void Start()
    {
        Volatile.Write(ref _lastSend, Environment.TickCount64);
        StartReader(0);
        new Thread(WatchdogLoop) { IsBackground = true, Name = $"ZooKeeper watchdog {EndPoint}" }.Start();
        _pinger.Change(_pingEvery, Timeout.Infinite);
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

        PendingRequest<T> pending;
        bool write;
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
            pending = new PendingRequest<T>(xid, request.Type, parser);
            (request.Type == OpCode.Auth ? _pendingAuth : _pending).Enqueue(pending);
            write = QueueFrame(frame);
        }

        if (write)
        {
            WriteOrDefer();
        }

        return pending.Task;
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
            _outgoing.Clear();
        }

        ConnectionLog.Lost(_logger, EndPoint, reason.Message);
        _pinger.Dispose();
        lock (_watchdogGate)
        {
            Monitor.PulseAll(_watchdogGate);
        }
        _socket.Dispose();

        // The session forgets this connection before any failed request's continuation can ask it for one.
        Dying?.Invoke();
        _closed.TrySetResult(reason);

        // Off this thread: a failed request's continuation may block (on the next connection, say),
        // and Kill runs on the reader, on a caller writing, or on a timer.
        var loss = reason as ZooKeeperConnectionLossException ?? new ZooKeeperConnectionLossException($"The connection to {EndPoint} was lost: {reason.Message}", reason);
        if (failed.Count > 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(
                static state =>
                {
                    foreach (var p in state.Failed)
                    {
                        p.Fail(state.Loss);
                    }
                },
                (Failed: failed, Loss: loss),
                preferLocal: false);
        }
    }

    public ValueTask DisposeAsync()
    {
        // The reader ends by itself once the socket is closed (or, if a callback holds it, when that
        // returns); nothing of it needs waiting for: its buffers are its own.
        Kill(new ZooKeeperConnectionLossException($"The connection to {EndPoint} was closed by the client."));
        return ValueTask.CompletedTask;
    }

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

    private static bool IsTimeout(SocketException ex) => ex.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock;

    /// <summary>Adds a frame to the write queue (under <see cref="_gate"/>); true when the caller must see it written.</summary>
    private bool QueueFrame(ReadOnlyMemory<byte> frame)
    {
        _outgoing.Add(frame);
        if (_flushing)
        {
            return false;
        }

        _flushing = true;
        return true;
    }

    private void WriteOrDefer()
    {
        if (Stopwatch.GetTimestamp() - Volatile.Read(ref _lastFlushEnd) < BurstWindowTicks)
        {
            // Whoever comes first writes: a pool thread, or the reader when the previous write's
            // reply arrives (so a starved thread pool delays a burst by one round trip, not more).
            Volatile.Write(ref _deferredFlush, 1);
            ThreadPool.UnsafeQueueUserWorkItem(static c => c.FlushDeferred(), this, preferLocal: false);
        }
        else
        {
            Flush();
        }
    }

    private void FlushDeferred()
    {
        if (Volatile.Read(ref _deferredFlush) == 1 && Interlocked.Exchange(ref _deferredFlush, 0) == 1)
        {
            Flush();
        }
    }

    /// <summary>Writes the queue until it is empty; only one thread at a time (the one that set <see cref="_flushing"/>).</summary>
    private void Flush()
    {
        try
        {
            while (true)
            {
                List<ReadOnlyMemory<byte>> batch;
                lock (_gate)
                {
                    if (_outgoing.Count == 0 || _dead is not null)
                    {
                        _flushing = false;
                        Volatile.Write(ref _lastFlushEnd, Stopwatch.GetTimestamp());
                        return;
                    }

                    batch = _outgoing;
                    _outgoing = _writing;
                    _writing = batch;
                }

                WriteBatch(batch);
                batch.Clear();
                Volatile.Write(ref _lastSend, Environment.TickCount64);
            }
        }
        catch (Exception ex)
        {
            lock (_gate)
            {
                _flushing = false;
            }

            Kill(ex is SocketException se && IsTimeout(se) ? new ZooKeeperConnectionLossException($"{EndPoint} accepted no data for {_readTimeout} ms.", ex) : ex);
        }
    }

    private void WriteBatch(List<ReadOnlyMemory<byte>> batch)
    {
        if (batch.Count == 1)
        {
            _socket.Send(batch[0].Span);
            return;
        }

        int used = 0;
        foreach (var frame in batch)
        {
            if (used + frame.Length > _sendBuffer.Length)
            {
                if (used > 0)
                {
                    _socket.Send(_sendBuffer.AsSpan(0, used));
                    used = 0;
                }

                if (frame.Length > SendBufferSize)
                {
                    _socket.Send(frame.Span);
                    continue;
                }

                if (frame.Length > _sendBuffer.Length || _sendBuffer.Length < SendBufferSize)
                {
                    _sendBuffer = new byte[SendBufferSize];
                }
            }

            frame.Span.CopyTo(_sendBuffer.AsSpan(used));
            used += frame.Length;
        }

        if (used > 0)
        {
            _socket.Send(_sendBuffer.AsSpan(0, used));
        }
    }

    private void StartReader(int epoch)
    {
        var thread = new Thread(() => ReadLoop(epoch)) { IsBackground = true, Name = $"ZooKeeper reader {EndPoint}" };
        thread.Start();
    }

    private void ReadLoop(int epoch)
    {
        try
        {
            while (true)
            {
                while (TryTakeFrame(out var frame))
                {
                    if (!Dispatch(frame, epoch))
                    {
                        // The watchdog gave the socket to another reader while a callback held this one.
                        return;
                    }
                }

                FlushDeferred();
                Fill();
            }
        }
        catch (Exception ex)
        {
            if (Volatile.Read(ref _readerState) >> 1 == epoch)
            {
                Kill(ex switch
                {
                    SocketException se when IsTimeout(se) => new ZooKeeperConnectionLossException($"No reply from {EndPoint} for {_readTimeout} ms.", ex),
                    EndOfStreamException => new IOException("The server closed the connection.", ex),
                    _ => ex,
                });
            }
        }
    }

    private bool TryTakeFrame(out ReadOnlySpan<byte> frame)
    {
        int available = _receiveEnd - _receiveStart;
        if (available >= 4)
        {
            int length = CheckLength(BinaryPrimitives.ReadInt32BigEndian(_receiveBuffer.AsSpan(_receiveStart)));
            if (available >= 4 + length)
            {
                frame = _receiveBuffer.AsSpan(_receiveStart + 4, length);
                _receiveStart += 4 + length;
                return true;
            }
        }

        frame = default;
        return false;
    }

    /// <summary>Reads more bytes, after moving a partial frame to the front (and growing the buffer for a frame larger than it).</summary>
    private void Fill()
    {
        int partial = _receiveEnd - _receiveStart;
        if (partial == 0 && _receiveBuffer.Length > ReceiveBufferSize)
        {
            _receiveBuffer = new byte[ReceiveBufferSize];
        }
        else if (_receiveStart > 0)
        {
            Buffer.BlockCopy(_receiveBuffer, _receiveStart, _receiveBuffer, 0, partial);
        }

        _receiveStart = 0;
        _receiveEnd = partial;
        if (partial >= 4)
        {
            int needed = 4 + CheckLength(BinaryPrimitives.ReadInt32BigEndian(_receiveBuffer));
            if (needed > _receiveBuffer.Length)
            {
                Array.Resize(ref _receiveBuffer, needed);
            }
        }

        int n = _socket.Receive(_receiveBuffer, _receiveEnd, _receiveBuffer.Length - _receiveEnd, SocketFlags.None);
        if (n == 0)
        {
            throw new IOException("The server closed the connection.");
        }

        _receiveEnd += n;
    }

    /// <summary>Handles one frame; false when this reader lost the socket while a callback ran.</summary>
    private bool Dispatch(ReadOnlySpan<byte> frame, int epoch)
    {
        var r = new JuteReader(frame);
        var header = ReplyHeader.Read(ref r);
        switch (header.Xid)
        {
            case Xids.Notification:
                var e = WatcherEvent.Read(ref r);
                EnterCallback(epoch);
                SeeZxid(header.Zxid);
                NotificationReceived?.Invoke(e);
                return LeaveCallback(epoch);
            case Xids.Ping:
                return true;
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

                auth.Decode(header, ref r);
                if (header.Error == ZooKeeperErrorCode.AuthFailed)
                {
                    // The server closes the connection after a failed auth; say why before it does.
                    Kill(new ZooKeeperException(ZooKeeperErrorCode.AuthFailed, "The server rejected the credentials.", null));
                }

                EnterCallback(epoch);
                auth.Publish();
                return LeaveCallback(epoch);
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
            pending.Decode(header, ref r);
        }
        catch (Exception ex)
        {
            pending.Fail(new ZooKeeperConnectionLossException($"The reply to a {pending.Type} request could not be decoded: {ex.Message}", ex));
            throw;
        }

        EnterCallback(epoch);
        SeeZxid(header.Zxid);
        pending.Publish();
        return LeaveCallback(epoch);
    }

    private void SeeZxid(long zxid)
    {
        if (zxid > 0)
        {
            ZxidSeen?.Invoke(zxid);
        }
    }

    private void EnterCallback(int epoch)
    {
        // The count before the flag: a watchdog that sees the flag then sees this callback's count.
        // A full fence, too: against the watchdog parking (it clears the flag, then reads the count).
        Interlocked.Increment(ref _callbacks);
        Volatile.Write(ref _readerState, (epoch << 1) | 1);
        if (Volatile.Read(ref _watchdogArmed) == 0 && Interlocked.Exchange(ref _watchdogArmed, 1) == 0)
        {
            ArmWatchdog();
        }
    }

    private bool LeaveCallback(int epoch) =>
        Interlocked.CompareExchange(ref _readerState, epoch << 1, (epoch << 1) | 1) == ((epoch << 1) | 1);

    private void ArmWatchdog()
    {
        lock (_watchdogGate)
        {
            Monitor.Pulse(_watchdogGate);
        }
    }

    /// <summary>
    /// The watchdog is a thread of its own, not a timer: a timer tick is a thread-pool work item,
    /// and a pool thread that wakes 250 times a second spins after each one (that cost more CPU
    /// than the requests themselves). Parked while the reader is quiet.
    /// </summary>
    private void WatchdogLoop()
    {
        lock (_watchdogGate)
        {
            while (IsAlive)
            {
                if (Volatile.Read(ref _watchdogArmed) == 0)
                {
                    Monitor.Wait(_watchdogGate);
                    _callbacksSeen = Volatile.Read(ref _callbacks);
                    continue;
                }

                Monitor.Wait(_watchdogGate, StallMilliseconds);
                if (IsAlive)
                {
                    CheckReader();
                }
            }
        }
    }

    private void CheckReader()
    {
        int state = Volatile.Read(ref _readerState);
        long callbacks = Volatile.Read(ref _callbacks);
        if ((state & 1) == 1 && callbacks == _callbacksSeen)
        {
            // One callback has held the reader for a whole period: the socket goes to a new reader.
            if (Interlocked.CompareExchange(ref _readerState, (state & ~1) + 2, state) == state)
            {
                StartReader((state >> 1) + 1);
            }
        }
        else if ((state & 1) == 0 && callbacks == _callbacksSeen)
        {
            // A quiet period: park. A callback that began after the reads above saw the watchdog
            // still armed and did not wake it, so look once more.
            Interlocked.Exchange(ref _watchdogArmed, 0);
            if (Volatile.Read(ref _callbacks) != callbacks)
            {
                Volatile.Write(ref _watchdogArmed, 1);
            }
        }

        _callbacksSeen = callbacks;
    }

    private void OnPingTimer()
    {
        long idle = Environment.TickCount64 - Volatile.Read(ref _lastSend);
        if (idle >= _pingEvery)
        {
            bool write;
            lock (_gate)
            {
                if (_dead is not null)
                {
                    return;
                }

                var frame = Serialize(PingRequest.Instance);
                BinaryPrimitives.WriteInt32BigEndian(frame.Span[4..], Xids.Ping);
                write = QueueFrame(frame);
            }

            if (write)
            {
                Flush();
            }

            idle = 0;
        }

        try
        {
            // Next tick when the connection will have been quiet for a third of the session timeout.
            _pinger.Change(Math.Max(1, _pingEvery - idle), Timeout.Infinite);
        }
        catch (ObjectDisposedException)
        {
        }
    }
}

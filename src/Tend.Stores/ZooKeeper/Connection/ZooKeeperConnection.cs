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
internal sealed partial class ZooKeeperConnection : IAsyncDisposable
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

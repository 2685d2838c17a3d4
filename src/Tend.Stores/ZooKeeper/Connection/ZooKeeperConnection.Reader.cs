using System.Buffers.Binary;
using System.Net.Sockets;
using Tend.Stores.ZooKeeper.Protocol;

namespace Tend.Stores.ZooKeeper.Connection;

/// <summary>Replies on their way in: the reader thread, framing, dispatch to pending requests and watches, and the watchdog that hands the socket to a new reader when a callback blocks.</summary>
internal sealed partial class ZooKeeperConnection
{
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
}

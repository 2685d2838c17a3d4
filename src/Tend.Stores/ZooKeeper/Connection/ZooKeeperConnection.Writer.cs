using System.Diagnostics;
using System.Net.Sockets;
using Tend.Stores.ZooKeeper.Protocol;

namespace Tend.Stores.ZooKeeper.Connection;

/// <summary>Requests on their way out: the write queue, the caller-or-flusher write, batched sends.</summary>
internal sealed partial class ZooKeeperConnection
{
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
}

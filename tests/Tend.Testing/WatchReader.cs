using System.Threading.Channels;
using Tend.Core.Kv;

namespace Tend.Testing;

/// <summary>Runs a store watch in the background and lets a test take its batches with a timeout.</summary>
public sealed class WatchReader : IAsyncDisposable
{
    private readonly Channel<KvChangeBatch> _batches = Channel.CreateUnbounded<KvChangeBatch>();
    private readonly CancellationTokenSource _cts = new();
    private readonly Task _pump;
    private readonly TimeSpan _timeout;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<KvChange> _pending = [];

    public WatchReader(IKvStore store, string prefix, long fromRevision, TimeSpan timeout)
    {
        _timeout = timeout;
        _pump = Task.Run(async () =>
        {
            try
            {
                var enumerator = store.WatchAsync(prefix, fromRevision, _cts.Token).GetAsyncEnumerator(_cts.Token);
                await using (enumerator.ConfigureAwait(false))
                {
                    var next = enumerator.MoveNextAsync();
                    _started.TrySetResult();
                    while (await next.ConfigureAwait(false))
                    {
                        await _batches.Writer.WriteAsync(enumerator.Current).ConfigureAwait(false);
                        next = enumerator.MoveNextAsync();
                    }
                }

                _batches.Writer.TryComplete();
            }
            catch (OperationCanceledException)
            {
                _batches.Writer.TryComplete();
            }
            catch (Exception ex)
            {
                _started.TrySetResult();
                _batches.Writer.TryComplete(ex);
            }
        });
    }

    /// <summary>
    /// Waits until the watch request was issued; since the watch is anchored at an explicit revision,
    /// writes made after this cannot be missed even if the server has not confirmed the watch yet.
    /// </summary>
    public Task ReadyAsync() => _started.Task.WaitAsync(_timeout);

    /// <summary>The next batch matching <paramref name="predicate"/> (earlier ones are dropped).</summary>
    public async Task<KvChangeBatch> NextBatchAsync(Func<KvChangeBatch, bool> predicate)
    {
        using var cts = new CancellationTokenSource(_timeout);
        while (true)
        {
            var batch = await _batches.Reader.ReadAsync(cts.Token).ConfigureAwait(false);
            if (predicate(batch))
            {
                return batch;
            }
        }
    }

    /// <summary>Takes exactly <paramref name="count"/> changes (skipping progress notifications), in order.</summary>
    public async Task<List<KvChange>> TakeChangesAsync(int count)
    {
        using var cts = new CancellationTokenSource(_timeout);
        try
        {
            while (_pending.Count < count)
            {
                var batch = await _batches.Reader.ReadAsync(cts.Token).ConfigureAwait(false);
                if (batch.IsResync)
                {
                    throw new InvalidOperationException($"Unexpected resync at revision {batch.Revision}.");
                }

                _pending.AddRange(batch.Changes);
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Expected {count} changes within {_timeout}, got {_pending.Count}: {string.Join(", ", _pending.Select(c => $"{c.Kind} {c.Key}={c.Value}@{c.Revision}"))}");
        }

        var taken = _pending.Take(count).ToList();
        _pending.RemoveRange(0, count);
        return taken;
    }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync().ConfigureAwait(false);
        try
        {
            await _pump.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _cts.Dispose();
    }
}

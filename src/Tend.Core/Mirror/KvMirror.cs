using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tend.Core.Kv;
using Tend.Core.Retry;

namespace Tend.Core.Mirror;

/// <summary>
/// A local, always-sorted copy of every key under one prefix, kept current by one watch stream and
/// shared by every consumer of that prefix. The snapshot is immutable and swapped atomically per
/// batch, so readers never see a half-applied change. When the watch breaks, the mirror keeps the
/// last known state, reconnects with backoff and jitter, and resumes from the last revision + 1;
/// a store that cannot resume answers with a resync, which the mirror diffs so subscribers are
/// still told exactly which keys changed.
/// </summary>
public sealed partial class KvMirror : IAsyncDisposable
{
    private readonly IKvStore _store;
    private readonly ILogger _logger;
    private readonly IRetryPolicy _retry;
    private readonly Lock _subscribersGate = new();
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private ImmutableSubscribers _subscribers = ImmutableSubscribers.Empty;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile KvSnapshot _current;
    private Task? _loop;
    private int _state = (int)KvMirrorState.Loading;

    /// <summary>Creates a mirror of <paramref name="prefix"/> in <paramref name="store"/>; call <see cref="Start"/> to begin.</summary>
    public KvMirror(IKvStore store, string prefix, ILogger? logger = null, IRetryPolicy? retry = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        Prefix = KeyPath.Normalize(prefix);
        _logger = logger ?? NullLogger.Instance;
        _retry = retry ?? ExponentialBackoff.Default;
        _current = KvSnapshot.Empty(Prefix);
    }

    /// <summary>The watched prefix.</summary>
    public string Prefix { get; }

    /// <summary>The current snapshot (empty until the first load succeeded: check <see cref="IsSynced"/>).</summary>
    public KvSnapshot Current => _current;

    /// <summary>True once the first full load succeeded; consumers must not act on an unsynced mirror.</summary>
    public bool IsSynced => _synced.Task.IsCompletedSuccessfully;

    /// <summary>Completes when the first full load succeeded.</summary>
    public Task WhenSynced => _synced.Task;

    /// <summary>The mirror's state.</summary>
    public KvMirrorState State => (KvMirrorState)Volatile.Read(ref _state);

    /// <summary>The last error the watch met, or <c>null</c> after it recovered.</summary>
    public Exception? LastError { get; private set; }

    /// <summary>How many updates (batches and resyncs that changed something) were applied.</summary>
    public long UpdateCount { get; private set; }

    /// <summary>How many times the watch had to be re-established.</summary>
    public long ReconnectCount { get; private set; }

    /// <summary>Starts loading and watching in the background. Idempotent.</summary>
    public void Start()
    {
        lock (_subscribersGate)
        {
            _loop ??= Task.Run(() => RunAsync(_stopping.Token));
        }
    }

    /// <summary>
    /// Registers <paramref name="handler"/> for every update. Handlers run on the mirror's loop, one
    /// at a time and in revision order; they should hand work off rather than block. An exception
    /// from a handler is logged and does not stop the mirror.
    /// </summary>
    public IDisposable Subscribe(Action<KvMirrorUpdate> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_subscribersGate)
        {
            _subscribers = _subscribers.Add(handler);
        }

        return new Subscription(this, handler);
    }

    /// <summary>Waits until the mirror has seen <paramref name="revision"/> (or later) and its subscribers have been told of it.</summary>
    public async Task WaitForRevisionAsync(long revision, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task changed;
            lock (_subscribersGate)
            {
                if (IsSynced && _current.Revision >= revision)
                {
                    return;
                }

                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Expected on shutdown.
            }
        }

        Volatile.Write(ref _state, (int)KvMirrorState.Stopped);
        _stopping.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        int failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (!IsSynced)
                {
                    var first = await _store.ListAsync(Prefix, cancellationToken).ConfigureAwait(false);
                    Swap(first, [], [], isResync: false, notify: false);
                    _synced.TrySetResult();
                    Log.Synced(_logger, Prefix, first.Count, first.Revision);
                }

                Volatile.Write(ref _state, (int)KvMirrorState.Watching);
                await foreach (var batch in _store.WatchAsync(Prefix, _current.Revision + 1, cancellationToken).ConfigureAwait(false))
                {
                    Apply(batch);
                    if (failures > 0)
                    {
                        failures = 0;
                        LastError = null;
                        Log.Resumed(_logger, Prefix, _current.Revision);
                    }
                }

                // A watch only ends when cancelled; anything else is a broken stream.
                if (!cancellationToken.IsCancellationRequested)
                {
                    throw new KvStoreUnavailableException($"{_store.Name}: the watch on {Prefix} ended unexpectedly.");
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                failures++;
                ReconnectCount++;
                LastError = ex;
                Volatile.Write(ref _state, (int)(IsSynced ? KvMirrorState.Reconnecting : KvMirrorState.Loading));
                var delay = _retry.NextDelay(failures);
                Log.WatchFailed(_logger, Prefix, _store.Name, delay.TotalMilliseconds, ex.Message, ex);
                try
                {
                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        Volatile.Write(ref _state, (int)KvMirrorState.Stopped);
    }

    private void Apply(KvChangeBatch batch)
    {
        var previous = _current;
        if (batch.IsResync)
        {
            var fresh = batch.Resync!;
            var snapshot = string.Equals(fresh.Prefix, Prefix, StringComparison.Ordinal)
                ? fresh
                : KvSnapshot.Create(Prefix, fresh.Revision, fresh.Under(Prefix));
            Log.Resync(_logger, Prefix, snapshot.Revision);
            Swap(snapshot, previous.DiffKeys(snapshot), [], isResync: true, notify: true);
            return;
        }

        if (batch.Revision < previous.Revision)
        {
            // Never step back: a store that re-delivers old history must not roll the mirror back.
            return;
        }

        var changes = batch.Changes.Where(c => c.Revision > previous.Revision && KeyPath.IsUnder(c.Key, Prefix)).ToList();
        var next = previous.Apply(changes, Math.Max(batch.Revision, previous.Revision));
        var changed = changes.Count == 0 ? (IReadOnlyList<string>)[] : ChangedKeys(previous, next, changes);
        Swap(next, changed, changes, isResync: false, notify: true);
    }

    private static List<string> ChangedKeys(KvSnapshot previous, KvSnapshot next, List<KvChange> changes)
    {
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var c in changes)
        {
            var had = previous.TryGetValue(c.Key, out var before);
            var has = next.TryGetValue(c.Key, out var after);
            if (had != has || !string.Equals(before, after, StringComparison.Ordinal))
            {
                keys.Add(c.Key);
            }
        }

        return [.. keys];
    }

    private void Swap(KvSnapshot next, IReadOnlyList<string> changedKeys, IReadOnlyList<KvChange> changes, bool isResync, bool notify)
    {
        var previous = _current;
        TaskCompletionSource changed;
        ImmutableSubscribers subscribers;
        lock (_subscribersGate)
        {
            _current = next;
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            subscribers = _subscribers;
        }

        if (!notify || changedKeys.Count == 0)
        {
            changed.TrySetResult();
            return;
        }

        UpdateCount++;
        var update = new KvMirrorUpdate(previous, next, changedKeys, changes, isResync);
        foreach (var handler in subscribers.Handlers)
        {
            try
            {
                handler(update);
            }
            catch (Exception ex)
            {
                Log.SubscriberFailed(_logger, Prefix, ex);
            }
        }

        // Revision waiters are released after the subscribers ran: whoever waits for a revision
        // may rely on every subscriber having been told about it.
        changed.TrySetResult();
    }

    private void Unsubscribe(Action<KvMirrorUpdate> handler)
    {
        lock (_subscribersGate)
        {
            _subscribers = _subscribers.Remove(handler);
        }
    }

    private sealed class ImmutableSubscribers(Action<KvMirrorUpdate>[] handlers)
    {
        public static readonly ImmutableSubscribers Empty = new([]);

        public Action<KvMirrorUpdate>[] Handlers { get; } = handlers;

        public ImmutableSubscribers Add(Action<KvMirrorUpdate> h) => new([.. Handlers, h]);

        public ImmutableSubscribers Remove(Action<KvMirrorUpdate> h)
        {
            int i = Array.IndexOf(Handlers, h);
            return i < 0 ? this : new([.. Handlers[..i], .. Handlers[(i + 1)..]]);
        }
    }

    private sealed class Subscription(KvMirror mirror, Action<KvMirrorUpdate> handler) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                mirror.Unsubscribe(handler);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Mirror of {Prefix} loaded: {Count} keys at revision {Revision}")]
        public static partial void Synced(ILogger logger, string prefix, int count, long revision);

        [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Watch of {Prefix} on {Store} failed; retrying in {DelayMs:F0} ms: {Reason}")]
        public static partial void WatchFailed(ILogger logger, string prefix, string store, double delayMs, string reason, Exception exception);

        [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "Watch of {Prefix} resumed at revision {Revision}")]
        public static partial void Resumed(ILogger logger, string prefix, long revision);

        [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "Watch of {Prefix} could not resume; resynced from a full snapshot at revision {Revision}")]
        public static partial void Resync(ILogger logger, string prefix, long revision);

        [LoggerMessage(EventId = 104, Level = LogLevel.Error, Message = "A subscriber of the mirror of {Prefix} failed")]
        public static partial void SubscriberFailed(ILogger logger, string prefix, Exception exception);
    }
}

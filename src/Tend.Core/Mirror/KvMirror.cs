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
/// <remarks>
/// Stores reconnect their watches by themselves, so an outage of the store's server does not end the
/// watch: <see cref="State"/>, <see cref="CurrentError"/> and <see cref="ReconnectCount"/> include what the
/// store reports (<see cref="IKvStore.Health"/>) besides the mirror's own watch failures.
/// </remarks>
public sealed partial class KvMirror : IAsyncDisposable
{
    private readonly IKvStore _store;
    private readonly ILogger _logger;
    private readonly IRetryPolicy _retry;
    private readonly Lock _subscribersGate = new();

    // Batches are applied one at a time: by the watch loop, and by catch-ups asked for by readers.
    private readonly Lock _applyGate = new();
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private readonly long _storeReconnectsAtStart;
    private ImmutableSubscribers _subscribers = ImmutableSubscribers.Empty;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile KvMirrorView _view;
    private Task? _loop;
    private int _state = (int)KvMirrorState.Loading;
    private long _ownReconnects;
    private long _updates;
    private long _catchUps;

    // The newest revision the watch itself delivered: a resync older than the snapshot but not older than
    // this merely trails a catch-up; one older than this means the store went back (restored from a backup).
    private long _watchRevision;

    /// <summary>Creates a mirror of <paramref name="prefix"/> in <paramref name="store"/>; call <see cref="Start"/> to begin.</summary>
    public KvMirror(IKvStore store, string prefix, ILogger? logger = null, IRetryPolicy? retry = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        Prefix = KeyPath.Normalize(prefix);
        _logger = logger ?? NullLogger.Instance;
        _retry = retry ?? ExponentialBackoff.Default;
        _view = new KvMirrorView(KvSnapshot.Empty(Prefix), 0);
        _storeReconnectsAtStart = store.Health.Reconnects;
    }

    /// <summary>The watched prefix.</summary>
    public string Prefix { get; }

    /// <summary>The current snapshot (empty until the first load succeeded: check <see cref="IsSynced"/>).</summary>
    public KvSnapshot Current => _view.Snapshot;

    /// <summary>The current snapshot with the revision since which it holds; what readers of several prefixes need (<see cref="KvConsistentRead"/>).</summary>
    public KvMirrorView View => _view;

    /// <summary>True once the first full load succeeded; consumers must not act on an unsynced mirror.</summary>
    public bool IsSynced => _synced.Task.IsCompletedSuccessfully;

    /// <summary>Completes when the first full load succeeded.</summary>
    public Task WhenSynced => _synced.Task;

    /// <summary>
    /// The mirror's state. A watch that the store is still re-establishing (its server unreachable) is
    /// <see cref="KvMirrorState.Reconnecting"/>, although the enumeration itself has not failed.
    /// </summary>
    public KvMirrorState State
    {
        get
        {
            var own = (KvMirrorState)Volatile.Read(ref _state);
            return own == KvMirrorState.Watching && _store.Health.IsUnreachable ? KvMirrorState.Reconnecting : own;
        }
    }

    /// <summary>The last error the watch met, or <c>null</c> after it recovered.</summary>
    public Exception? LastError { get; private set; }

    /// <summary>What keeps the mirror from being current: the watch's own last error, or the store's while its server is unreachable; <c>null</c> when current.</summary>
    public string? CurrentError
    {
        get
        {
            if (LastError is { } own)
            {
                return own.Message;
            }

            var health = _store.Health;
            return health.IsUnreachable ? health.LastError ?? $"{_store.Name} is unreachable" : null;
        }
    }

    /// <summary>How many updates (batches and resyncs that changed something) were applied.</summary>
    public long UpdateCount => Interlocked.Read(ref _updates);

    /// <summary>How many times the watch had to be re-established: by the mirror after its watch failed, or by the store after its connection was lost.</summary>
    public long ReconnectCount => Interlocked.Read(ref _ownReconnects) + Math.Max(0, _store.Health.Reconnects - _storeReconnectsAtStart);

    /// <summary>How many times a reader asked the store to confirm this mirror is current (<see cref="CatchUpAsync"/>).</summary>
    public long CatchUpCount => Interlocked.Read(ref _catchUps);

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
                if (IsSynced && _view.Snapshot.Revision >= revision)
                {
                    return;
                }

                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Makes sure the mirror has seen everything up to <paramref name="revision"/>: when the watch has not
    /// said so (a quiet prefix gets no newer revision; another prefix's watch may have delivered the same
    /// transaction first), the store is asked (<see cref="IKvStore.CatchUpAsync"/>) and its answer applied
    /// like a batch: subscribers hear of any change as usual, and the watch's later copy of it is skipped.
    /// </summary>
    /// <exception cref="KvStoreUnavailableException">The store could not be reached.</exception>
    public async Task CatchUpAsync(long revision, CancellationToken cancellationToken = default)
    {
        var known = _view.Snapshot;
        if (!IsSynced || known.Revision >= revision)
        {
            return;
        }

        Interlocked.Increment(ref _catchUps);
        var batch = await _store.CatchUpAsync(known, cancellationToken).ConfigureAwait(false);
        lock (_applyGate)
        {
            ApplyCatchUp(batch);
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
                    lock (_applyGate)
                    {
                        Swap(first, first.Revision, [], [], isResync: false, notify: false);
                        _watchRevision = first.Revision;
                    }

                    _synced.TrySetResult();
                    Log.Synced(_logger, Prefix, first.Count, first.Revision);
                }

                Volatile.Write(ref _state, (int)KvMirrorState.Watching);
                await foreach (var batch in _store.WatchAsync(Prefix, _view.Snapshot.Revision + 1, cancellationToken).ConfigureAwait(false))
                {
                    lock (_applyGate)
                    {
                        Apply(batch);
                    }

                    if (failures > 0)
                    {
                        failures = 0;
                        LastError = null;
                        Log.Resumed(_logger, Prefix, _view.Snapshot.Revision);
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
                Interlocked.Increment(ref _ownReconnects);
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
}

using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Tend.Core.Kv;

namespace Tend.Stores.Consul.Watch;

/// <summary>
/// One blocking query on one prefix, and the history built from its answers. Consul answers a blocking query
/// with the whole state of the prefix once its index moves; each answer is diffed against the previous state
/// (<see cref="StateDiff"/>, with this store's own writes) into ordered changes, kept in a bounded journal so a
/// watcher can resume from an older index, and handed to every watcher at or below the prefix. Consul's index
/// rules: an index that goes back (agent restarted empty, snapshot restored, tombstones reaped) means the
/// history is gone, so every watcher gets a resync; an answer with an unchanged index after the full wait is a
/// progress notification, and early ones in a row are spurious wake-ups that get a backoff; after any failed
/// query, and after an early answer with the index unchanged (what an agent that shuts down gives), the next
/// one is a plain read (index 0), never a blocking query on an index the agent may have lost.
/// </summary>
internal sealed class PrefixTracker : IAsyncDisposable
{
    private readonly Func<string, long, TimeSpan?, bool, CancellationToken, Task<KvSnapshot>> _read;
    private readonly OwnWriteLog _own;
    private readonly ConsulStoreSettings _settings;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly List<TrackerWatcher> _watchers = [];
    private readonly List<KvChange> _journal = [];
    private readonly CancellationTokenSource _stop = new();
    private CancellationTokenSource? _request;
    private KvSnapshot? _state;
    private long _journalStart;
    private bool _fresh;
    private Task? _loop;

    /// <param name="prefix">The watched prefix (path semantics).</param>
    /// <param name="seed">A state of the prefix read earlier (a listing), or null to start with a plain read.</param>
    /// <param name="read">Reads the prefix: plain with index 0, else a blocking query on that index for at most the wait; with <c>true</c>, a consistent read (confirmed by the leader).</param>
    /// <param name="own">This store's own writes.</param>
    /// <param name="settings">Wait, history size, backoff.</param>
    /// <param name="logger">Where failures are logged.</param>
    public PrefixTracker(string prefix, KvSnapshot? seed, Func<string, long, TimeSpan?, bool, CancellationToken, Task<KvSnapshot>> read, OwnWriteLog own, ConsulStoreSettings settings, ILogger logger)
    {
        Prefix = prefix;
        _state = seed;
        _journalStart = seed is null ? 0 : seed.Revision + 1;
        _fresh = seed is null;
        _read = read;
        _own = own;
        _settings = settings;
        _logger = logger;
    }

    public string Prefix { get; }

    /// <summary>The state at the last answer, or null before the first.</summary>
    public KvSnapshot? State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>True once the loop ended (stopped, or a refusal that a retry will not cure).</summary>
    public bool IsStopped => _loop is { IsCompleted: true } || _stop.IsCancellationRequested;

    public int WatcherCount
    {
        get
        {
            lock (_gate)
            {
                return _watchers.Count;
            }
        }
    }

    /// <summary>When the last watcher left (Stopwatch ticks); meaningful while there are none.</summary>
    public long IdleSince { get; private set; } = Stopwatch.GetTimestamp();

    public void Start() => _loop ??= Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Adds a watcher of <paramref name="prefix"/> from index <paramref name="from"/> (0: from now).</summary>
    public TrackerWatcher Subscribe(string prefix, long from)
    {
        var watcher = new TrackerWatcher(prefix, from);
        CancellationTokenSource? interrupt = null;
        lock (_gate)
        {
            _watchers.Add(watcher);
            if (_state is not null && !Position(watcher, freshRead: false))
            {
                interrupt = _request;
            }
        }

        if (interrupt is not null)
        {
            // Outside the lock: cancelling runs the query's callbacks, which must not find the lock held.
            try
            {
                interrupt.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The query ended meanwhile; the next one is a plain read anyway.
            }
        }

        return watcher;
    }

    public void Unsubscribe(TrackerWatcher watcher)
    {
        lock (_gate)
        {
            _watchers.Remove(watcher);
            if (_watchers.Count == 0)
            {
                IdleSince = Stopwatch.GetTimestamp();
            }
        }

        watcher.Queue.Writer.TryComplete();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        lock (_gate)
        {
            foreach (var w in _watchers)
            {
                w.Queue.Writer.TryComplete();
            }

            _watchers.Clear();
        }

        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken stop)
    {
        int failures = 0, spurious = 0;
        var wait = _settings.BlockingWait;
        while (!stop.IsCancellationRequested)
        {
            long asked;
            CancellationTokenSource request;
            lock (_gate)
            {
                asked = _fresh || _state is null ? 0 : _state.Revision;
                _fresh = false;
                request = _request = CancellationTokenSource.CreateLinkedTokenSource(stop);
            }

            bool blocking = asked > 0;
            long started = Stopwatch.GetTimestamp();
            KvSnapshot observed;
            bool confirmed = false;
            try
            {
                observed = await _read(Prefix, asked, blocking ? wait : null, false, request.Token).ConfigureAwait(false);
                if (NeedsConfirmation(observed, blocking))
                {
                    // An answer behind what was already seen: a restarted server answers from its state before
                    // it has replayed its log, so only a consistent read (which waits for that) may say the
                    // history is really gone. Until it answers, nothing changes.
                    observed = await _read(Prefix, 0, null, true, request.Token).ConfigureAwait(false);
                    confirmed = true;
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (OperationCanceledException) when (request.IsCancellationRequested)
            {
                // Interrupted on purpose: a watcher is ahead of this state and needs a plain read now.
                continue;
            }
            catch (Exception ex) when (ex is KvAuthenticationException || (ex is KvStoreException && ex is not KvStoreUnavailableException))
            {
                // A refusal a retry will not cure (ACL, a bad request): the watchers get it; whoever watches again
                // (the mirror, after its own backoff) starts a new tracker.
                Fail(ex);
                return;
            }
            catch (Exception ex)
            {
                failures++;
                var delay = _settings.ReconnectBackoff.NextDelay(failures);
                ConsulLog.WatchFailed(_logger, Prefix, _state?.Revision ?? 0, ex.Message, delay.TotalMilliseconds);
                lock (_gate)
                {
                    _fresh = true;
                }

                if (!await DelayAsync(delay, stop).ConfigureAwait(false))
                {
                    return;
                }

                continue;
            }
            finally
            {
                lock (_gate)
                {
                    _request = null;
                }

                request.Dispose();
            }

            failures = 0;
            bool early = blocking && Stopwatch.GetElapsedTime(started) < wait * 0.9;
            lock (_gate)
            {
                Apply(observed, freshRead: !blocking, early);
            }

            if (blocking)
            {
                bool unchanged = early && observed.Revision == asked;
                spurious = unchanged ? spurious + 1 : 0;
                if (unchanged && !confirmed)
                {
                    // An agent that shuts down answers its blocking queries at once with the index unchanged. If it
                    // comes back empty, its index restarts low, and a blocking query on the old index would wait
                    // until the new index passes it (or the whole wait) with every change meanwhile unseen: ask
                    // plainly once, which shows an index that went back (a consistent read just made is that answer).
                    lock (_gate)
                    {
                        _fresh = true;
                    }
                }
            }

            if (spurious >= _settings.SpuriousWakeupsBeforeBackoff)
            {
                var delay = _settings.ReconnectBackoff.NextDelay(spurious - _settings.SpuriousWakeupsBeforeBackoff + 1);
                ConsulLog.SpuriousWakeups(_logger, Prefix, spurious, delay.TotalMilliseconds);
                if (!await DelayAsync(delay, stop).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
    }

    /// <summary>True when an answer would reset the history or resync a watcher: it is behind the state or a watcher.</summary>
    private bool NeedsConfirmation(KvSnapshot observed, bool blocking)
    {
        lock (_gate)
        {
            return (_state is not null && observed.Revision < _state.Revision)
                || (!blocking && _watchers.Any(w => !w.Positioned && w.From - 1 > observed.Revision && _state is not null));
        }
    }

    private static async Task<bool> DelayAsync(TimeSpan delay, CancellationToken stop)
    {
        try
        {
            await Task.Delay(delay, stop).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Takes one answer into the state and the history and hands it out. Called under the lock.</summary>
    private void Apply(KvSnapshot observed, bool freshRead, bool early)
    {
        if (_state is null)
        {
            _state = observed;
            _journalStart = observed.Revision + 1;
            PositionWaiting(freshRead: true);
            return;
        }

        long old = _state.Revision;
        if (observed.Revision < old)
        {
            ConsulLog.IndexWentBack(_logger, Prefix, old, observed.Revision);
            _own.ForgetAbove(observed.Revision);
            Reset(observed);
            return;
        }

        if (observed.Revision == old)
        {
            if (freshRead && !observed.ContentEquals(_state))
            {
                Reset(observed);
                return;
            }

            if (!early)
            {
                // The index stood still for the whole wait: a progress notification (the watch is alive).
                Deliver([], old, progressOnly: true);
            }

            PositionWaiting(freshRead);
            return;
        }

        var changes = StateDiff.Compute(_state, _own.Between(old, observed.Revision, Prefix), observed);
        if (changes is null)
        {
            Reset(observed);
            return;
        }

        _state = observed;
        _journal.AddRange(changes);
        Trim();
        Deliver(changes, observed.Revision, progressOnly: false);
        PositionWaiting(freshRead);
    }

    private void Deliver(List<KvChange> changes, long revision, bool progressOnly)
    {
        foreach (var w in _watchers)
        {
            if (!w.Positioned)
            {
                continue;
            }

            var mine = w.Prefix == Prefix ? changes : changes.Where(c => KeyPath.IsUnder(c.Key, w.Prefix)).ToList();
            w.Queue.Writer.TryWrite(mine.Count > 0 && !progressOnly ? KvChangeBatch.FromChanges(mine, revision) : KvChangeBatch.Progress(revision));
        }
    }

    /// <summary>Positions the watchers still waiting for a state or ahead of it.</summary>
    private void PositionWaiting(bool freshRead)
    {
        foreach (var w in _watchers)
        {
            if (!w.Positioned)
            {
                _ = Position(w, freshRead);
            }
        }
    }

    /// <summary>
    /// Starts a watcher at its index: a replay from the journal, a resync when the journal does not reach back
    /// that far, or — when it is ahead of this state — a plain read first: if the agent is behind the watcher
    /// even then, its index went back and the watcher gets a resync. False when it waits for that plain read.
    /// </summary>
    private bool Position(TrackerWatcher w, bool freshRead)
    {
        var state = _state!;
        long revision = state.Revision;
        long from = w.From <= 0 ? revision + 1 : w.From;
        if (from > revision + 1)
        {
            if (freshRead)
            {
                ConsulLog.IndexWentBack(_logger, w.Prefix, from - 1, revision);
                w.Queue.Writer.TryWrite(KvChangeBatch.FromResync(View(w.Prefix)));
                w.Positioned = true;
                return true;
            }

            _fresh = true;
            return false;
        }

        w.Positioned = true;
        if (from < _journalStart)
        {
            w.Queue.Writer.TryWrite(KvChangeBatch.FromResync(View(w.Prefix)));
            return true;
        }

        var missed = _journal.Where(c => c.Revision >= from && KeyPath.IsUnder(c.Key, w.Prefix)).ToList();
        if (missed.Count > 0)
        {
            w.Queue.Writer.TryWrite(KvChangeBatch.FromChanges(missed, revision));
        }
        else if (from <= revision)
        {
            w.Queue.Writer.TryWrite(KvChangeBatch.Progress(revision));
        }

        return true;
    }

    private void Reset(KvSnapshot observed)
    {
        _state = observed;
        _journal.Clear();
        _journalStart = observed.Revision + 1;
        foreach (var w in _watchers)
        {
            w.Positioned = true;
            w.Queue.Writer.TryWrite(KvChangeBatch.FromResync(View(w.Prefix)));
        }
    }

    private KvSnapshot View(string prefix) =>
        prefix == Prefix ? _state! : KvSnapshot.Create(prefix, _state!.Revision, _state.Under(prefix));

    private void Trim()
    {
        int excess = _journal.Count - _settings.HistoryLimit;
        if (excess <= 0)
        {
            return;
        }

        // Whole indexes only, so a replay never starts in the middle of one.
        long last = _journal[excess - 1].Revision;
        int cut = excess;
        while (cut < _journal.Count && _journal[cut].Revision == last)
        {
            cut++;
        }

        _journal.RemoveRange(0, cut);
        _journalStart = last + 1;
    }

    private void Fail(Exception ex)
    {
        lock (_gate)
        {
            foreach (var w in _watchers)
            {
                w.Queue.Writer.TryComplete(ex);
            }

            _watchers.Clear();
        }
    }
}

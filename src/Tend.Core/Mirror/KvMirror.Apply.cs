using Microsoft.Extensions.Logging;
using Tend.Core.Kv;

namespace Tend.Core.Mirror;

/// <summary>Applying batches and catch-up answers, and telling subscribers. Callers hold <c>_applyGate</c>.</summary>
public sealed partial class KvMirror
{
    private void Apply(KvChangeBatch batch)
    {
        var view = _view;
        var previous = view.Snapshot;
        bool behindCatchUp = batch.Revision < previous.Revision && batch.Revision >= _watchRevision;
        _watchRevision = Math.Max(_watchRevision, batch.Revision);
        if (batch.IsResync && !behindCatchUp)
        {
            // A resync replaces everything, even at an older revision (a store restored from a backup).
            var snapshot = Rebase(batch.Resync!);
            Log.Resync(_logger, Prefix, snapshot.Revision);
            var diff = previous.DiffKeys(snapshot);
            Swap(snapshot, diff.Count > 0 ? snapshot.Revision : view.ChangedAt, diff, [], isResync: true, notify: true);
            return;
        }

        if (batch.Revision < previous.Revision)
        {
            // Never step back: a store that re-delivers old history, or a watch still delivering what a
            // catch-up already brought in, must not roll the mirror back.
            return;
        }

        var changes = batch.Changes.Where(c => c.Revision > previous.Revision && KeyPath.IsUnder(c.Key, Prefix)).ToList();
        var next = previous.Apply(changes, Math.Max(batch.Revision, previous.Revision));
        var changed = changes.Count == 0 ? (IReadOnlyList<string>)[] : ChangedKeys(previous, next, changes);
        Swap(next, changed.Count > 0 ? next.Revision : view.ChangedAt, changed, changes, isResync: false, notify: true);
    }

    /// <summary>
    /// A catch-up answer: a progress notification only moves the revision on; a resync is turned into the
    /// changes it implies, so subscribers hear of them as of any change (the watch's own copy of them, which
    /// may still be on its way, is then skipped as already seen).
    /// </summary>
    private void ApplyCatchUp(KvChangeBatch batch)
    {
        var view = _view;
        var previous = view.Snapshot;
        if (batch.Revision <= previous.Revision)
        {
            return;
        }

        if (!batch.IsResync)
        {
            Swap(previous.Apply([], batch.Revision), view.ChangedAt, [], [], isResync: false, notify: true);
            return;
        }

        var snapshot = Rebase(batch.Resync!);
        var diff = previous.DiffKeys(snapshot);
        var changes = new List<KvChange>(diff.Count);
        foreach (var key in diff)
        {
            var before = previous.Get(key)?.Value;
            changes.Add(snapshot.Get(key) is { } now
                ? KvChange.Put(key, now.Value, now.ModRevision > 0 ? now.ModRevision : snapshot.Revision, before)
                : KvChange.Delete(key, snapshot.Revision, before));
        }

        Log.CaughtUp(_logger, Prefix, diff.Count, snapshot.Revision);
        Swap(snapshot, diff.Count > 0 ? snapshot.Revision : view.ChangedAt, diff, changes, isResync: false, notify: true);
    }

    private KvSnapshot Rebase(KvSnapshot fresh) =>
        string.Equals(fresh.Prefix, Prefix, StringComparison.Ordinal)
            ? fresh
            : KvSnapshot.Create(Prefix, fresh.Revision, fresh.Under(Prefix));

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

    private void Swap(KvSnapshot next, long changedAt, IReadOnlyList<string> changedKeys, IReadOnlyList<KvChange> changes, bool isResync, bool notify)
    {
        var previous = _view.Snapshot;
        TaskCompletionSource changed;
        ImmutableSubscribers subscribers;
        lock (_subscribersGate)
        {
            _view = new KvMirrorView(next, changedAt);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            subscribers = _subscribers;
        }

        if (!notify || changedKeys.Count == 0)
        {
            changed.TrySetResult();
            return;
        }

        Interlocked.Increment(ref _updates);
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

        [LoggerMessage(EventId = 105, Level = LogLevel.Debug, Message = "Mirror of {Prefix} caught up with the store at revision {Revision} ahead of its watch: {Count} keys changed")]
        public static partial void CaughtUp(ILogger logger, string prefix, int count, long revision);
    }
}

using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Tend.Core.Kv;

namespace Tend.Stores;

/// <summary>
/// The change history and live watchers of an in-process store (memory, file): watches replay
/// what they missed from the history and then follow, or get a resync when their revision is no
/// longer held. The owning store serialises everything through its own lock, passed in here, so a
/// watch's catch-up and its registration happen atomically with respect to writes.
/// </summary>
internal sealed class ChangeFeed(Lock gate, int historyLimit)
{
    private readonly List<KvChange> _history = [];
    private readonly List<Watcher> _watchers = [];

    /// <summary>The oldest revision still replayable; a watch from before it gets a resync.</summary>
    public long HistoryStart { get; private set; } = 1;

    /// <summary>Records the changes of <paramref name="revision"/> and hands them to the watchers. Call under the store's lock.</summary>
    public void Append(IReadOnlyList<KvChange> changes, long revision)
    {
        _history.AddRange(changes);
        if (_history.Count > historyLimit)
        {
            // Trim whole revisions, so a replay never starts in the middle of one.
            Forget(_history[_history.Count - historyLimit].Revision);
        }

        foreach (var w in _watchers)
        {
            var mine = changes.Where(c => KeyPath.IsUnder(c.Key, w.Prefix)).ToList();
            if (mine.Count > 0)
            {
                w.Channel.Writer.TryWrite(KvChangeBatch.FromChanges(mine, revision));
            }
        }
    }

    /// <summary>Drops the history before <paramref name="revision"/> (compaction). Call under the store's lock.</summary>
    public void Forget(long revision)
    {
        _history.RemoveAll(c => c.Revision < revision);
        HistoryStart = Math.Max(HistoryStart, revision);
    }

    /// <summary>Ends every watch (the store is disposed). Call under the store's lock.</summary>
    public void Complete()
    {
        foreach (var w in _watchers)
        {
            w.Channel.Writer.TryComplete();
        }

        _watchers.Clear();
    }

    /// <summary>The <see cref="IKvStore.WatchAsync"/> of the owning store.</summary>
    /// <param name="prefix">The normalised prefix.</param>
    /// <param name="fromRevision">The first revision wanted; 0 = from now.</param>
    /// <param name="current">The store's current revision and a snapshot of the prefix at it (called under the lock).</param>
    /// <param name="cancellationToken">Ends the watch.</param>
    public async IAsyncEnumerable<KvChangeBatch> WatchAsync(string prefix, long fromRevision, Func<(long Revision, Func<KvSnapshot> Snapshot)> current, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var watcher = new Watcher(prefix);
        lock (gate)
        {
            var (revision, snapshot) = current();
            if (fromRevision > 0 && fromRevision <= revision)
            {
                if (fromRevision < HistoryStart)
                {
                    watcher.Channel.Writer.TryWrite(KvChangeBatch.FromResync(snapshot()));
                }
                else
                {
                    var missed = _history.Where(c => c.Revision >= fromRevision && KeyPath.IsUnder(c.Key, prefix)).ToList();
                    watcher.Channel.Writer.TryWrite(missed.Count > 0 ? KvChangeBatch.FromChanges(missed, revision) : KvChangeBatch.Progress(revision));
                }
            }

            _watchers.Add(watcher);
        }

        try
        {
            await foreach (var batch in watcher.Channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return batch;
            }
        }
        finally
        {
            lock (gate)
            {
                _watchers.Remove(watcher);
            }
        }
    }

    private sealed class Watcher(string prefix)
    {
        public string Prefix { get; } = prefix;

        public Channel<KvChangeBatch> Channel { get; } = System.Threading.Channels.Channel.CreateUnbounded<KvChangeBatch>(new UnboundedChannelOptions { SingleReader = true });
    }
}

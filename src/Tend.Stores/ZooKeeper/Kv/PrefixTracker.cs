using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Tend.Core.Kv;
using Tend.Stores.ZooKeeper.Connection;
using Tend.Stores.ZooKeeper.Protocol;
using Tend.Stores.ZooKeeper.Session;

namespace Tend.Stores.ZooKeeper.Kv;

/// <summary>
/// Follows one prefix with a persistent recursive watch and keeps, in memory, the nodes below it
/// and a journal of the changes seen since the watch was installed — ZooKeeper keeps no history, so
/// this journal is what lets <c>WatchAsync(prefix, fromRevision)</c> replay exactly the changes after
/// a snapshot.
/// </summary>
/// <remarks>
/// <para>Notifications carry no data and no zxid (3.8), so every notification is answered by a
/// getData sent from the connection's reader itself: it keeps its place in the connection's order, which
/// means a client that writes serially through this session sees each value it wrote. Results are
/// applied in notification order by a single processing loop. A put's revision is the node's mzxid;
/// a delete's is the zxid of the read that found the node gone (an upper bound when other writes
/// raced it). Revisions delivered never go backwards.</para>
/// <para>After a re-attach (same session) the tree is walked again and diffed against what was
/// known: when every node's version and child version account for exactly the differences seen,
/// nothing was missed and the differences are delivered as changes; otherwise, and always after a
/// session expiry, watchers get a resync.</para>
/// </remarks>
internal sealed class PrefixTracker : IAsyncDisposable
{
    private const int JournalLimit = 10_000;
    private readonly ZooKeeperClient _client;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Channel<Work> _work = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<KvChange> _journal = [];
    private readonly List<KvChange> _outbox = [];
    private readonly List<Subscriber> _subscribers = [];

    // Taken off the queue by the processing loop, answered when the queue next runs dry.
    private readonly List<SnapshotRequest> _snapshotRequests = [];
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action<ZooKeeperWatchEvent> _onEvent;
    private readonly Action<ZooKeeperState> _onState;
    private Dictionary<string, NodeState> _model = new(StringComparer.Ordinal);
    private long _coveredFrom;
    private long _revision;
    private bool _live;
    private bool _needsResync;
    private bool _started;
    private bool _stopped;
    private bool _oneShot;
    private Task _processor = Task.CompletedTask;

    /// <summary>A tracker of <paramref name="prefix"/>; with <paramref name="oneShotWatches"/> it uses one-shot watches even where persistent ones exist (tests of the fallback).</summary>
    public PrefixTracker(ZooKeeperClient client, string prefix, ILogger logger, bool oneShotWatches = false)
    {
        _client = client;
        Prefix = prefix;
        _logger = logger;
        _oneShot = oneShotWatches;
        _onEvent = OnEvent;
        _client.Session.Watches.RunInline(_onEvent);
        _onState = OnState;
    }

    public string Prefix { get; }

    /// <summary>True when the server has no persistent recursive watches (before 3.6) and one-shot watches on every node stand in.</summary>
    public bool UsesOneShotWatches => Volatile.Read(ref _oneShot);

    /// <summary>Installs the watch and loads the tree; completes once the tracker serves subscribers.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _client.StateChanged += _onState;
        long coveredFrom = -1;
        if (!_oneShot)
        {
            var watch = await _client.AddRecursiveWatchReplyAsync(Prefix, _onEvent, cancellationToken).ConfigureAwait(false);
            if (watch.Error == ZooKeeperErrorCode.Unimplemented)
            {
                // A server before 3.6: fall back to one-shot watches re-armed on every event. Changes
                // that follow each other faster than a re-arm collapse into their last value.
                Volatile.Write(ref _oneShot, true);
            }
            else
            {
                coveredFrom = watch.GetValueOrThrow(Prefix) ? watch.Zxid : 0;
            }
        }

        var walk = TreeWalk.RunAsync(_client, Prefix, sendNow: false, cancellationToken, _oneShot ? _onEvent : null);
        lock (_gate)
        {
            _started = true;
        }

        _processor = Task.Run(() => ProcessAsync(coveredFrom, walk));
        await _ready.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts a subscription below <paramref name="prefix"/> (which this tracker covers).</summary>
    public Subscriber Subscribe(string prefix, long fromRevision)
    {
        var subscriber = new Subscriber(prefix, fromRevision);
        lock (_gate)
        {
            if (_stopped)
            {
                subscriber.Channel.Writer.TryComplete(new KvStoreUnavailableException($"The watch of {Prefix} is closed."));
                return subscriber;
            }

            // Flush first: changes still held back are then in the journal the subscriber is served
            // from, not delivered to it a second time by the next flush.
            Flush();
            _subscribers.Add(subscriber);
            if (_live)
            {
                Decide(subscriber);
            }
            else
            {
                subscriber.Pending = true;
            }
        }

        return subscriber;
    }

    /// <summary>
    /// The keys at or below <paramref name="prefix"/> (which this tracker covers) exactly as they were at the
    /// snapshot's revision. The caller got a reply carrying <paramref name="zxid"/>, so the notifications of
    /// every change up to it are already queued ahead of this request; the answer comes once they are applied
    /// and the queue has run dry, which is when the tree held here is complete up to its revision (see the
    /// flush in the processing loop). A walk of the tree is not: it reads level after level while the tree changes.
    /// </summary>
    public Task<KvSnapshot> SnapshotAsync(string prefix, long zxid)
    {
        var done = new TaskCompletionSource<KvSnapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_work.Writer.TryWrite(new Work(prefix, null, null, null, VisibilityOnly: false, Snapshot: new SnapshotRequest(prefix, zxid, done))))
        {
            done.TrySetException(new ZooKeeperConnectionLossException($"The watch of {Prefix} is closed."));
        }

        return done.Task;
    }

    public void Unsubscribe(Subscriber subscriber)
    {
        lock (_gate)
        {
            _subscribers.Remove(subscriber);
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
            foreach (var s in _subscribers)
            {
                s.Channel.Writer.TryComplete();
            }

            _subscribers.Clear();
        }

        _client.StateChanged -= _onState;
        _client.Session.Watches.RemoveEverywhere(_onEvent);
        _work.Writer.TryComplete();
        _ready.TrySetException(new ObjectDisposedException(nameof(PrefixTracker)));
        await _processor.ConfigureAwait(false);
    }

    private static string ParentOf(string path)
    {
        int i = path.LastIndexOf('/');
        return i <= 0 ? "/" : path[..i];
    }

    private void OnEvent(ZooKeeperWatchEvent e)
    {
        // Runs on the connection's reader (marked RunInline): the reads go out before any reply that follows the notification is handled.
        if (Volatile.Read(ref _stopped))
        {
            return;
        }

        if (_oneShot)
        {
            OnOneShotEvent(e);
            return;
        }

        _work.Writer.TryWrite(new Work(e.Path, Read(e.Path), null, null, VisibilityOnly: false));
        if (e.Type is ZooKeeperEventType.NodeCreated or ZooKeeperEventType.NodeDeleted && e.Path != Prefix)
        {
            // A parent gains or loses children: that may list or unlist it (see NodeRead.Visible).
            var parent = ParentOf(e.Path);
            if (KeyPath.IsUnder(parent, Prefix))
            {
                _work.Writer.TryWrite(new Work(parent, Read(parent), null, null, VisibilityOnly: true));
            }
        }
    }

    private void OnOneShotEvent(ZooKeeperWatchEvent e)
    {
        switch (e.Type)
        {
            case ZooKeeperEventType.NodeCreated:
            case ZooKeeperEventType.NodeDataChanged:
                _work.Writer.TryWrite(new Work(e.Path, Read(e.Path, watch: true), null, null, VisibilityOnly: false));
                if (e.Type == ZooKeeperEventType.NodeCreated)
                {
                    _work.Writer.TryWrite(new Work(e.Path, null, null, null, VisibilityOnly: false, Children: ReadChildren(e.Path)));
                }

                break;
            case ZooKeeperEventType.NodeDeleted:
                // The node may already be back (deleted and re-created by another session): the
                // delete consumed both its watches, so re-arm them; on a missing node they set nothing.
                _work.Writer.TryWrite(new Work(e.Path, Read(e.Path, watch: true), null, null, VisibilityOnly: false));
                _work.Writer.TryWrite(new Work(e.Path, null, null, null, VisibilityOnly: false, Children: ReadChildren(e.Path)));
                if (e.Path == Prefix)
                {
                    _client.Session.Watches.AddExist(Prefix, _onEvent);
                    _ = _client.SendNow(new ExistsRequest(_client.ToServerPath(Prefix), true), StatResponse.Read);
                }

                break;
            case ZooKeeperEventType.NodeChildrenChanged:
                _work.Writer.TryWrite(new Work(e.Path, null, null, null, VisibilityOnly: false, Children: ReadChildren(e.Path)));
                _work.Writer.TryWrite(new Work(e.Path, Read(e.Path, watch: true), null, null, VisibilityOnly: true));
                break;
        }
    }

    private Task<Reply<GetChildren2Response>> ReadChildren(string path)
    {
        _client.Session.Watches.AddChild(path, _onEvent);
        return _client.SendNow(new GetChildren2Request(_client.ToServerPath(path), true), GetChildren2Response.Read);
    }

    private Task<Reply<GetDataResponse>> Read(string path, bool watch = false)
    {
        if (watch)
        {
            _client.Session.Watches.AddData(path, _onEvent);
        }

        return _client.SendNow(new GetDataRequest(_client.ToServerPath(path), watch), GetDataResponse.Read);
    }

    private void OnState(ZooKeeperState state)
    {
        bool resync;
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            switch (state)
            {
                case ZooKeeperState.Expired:
                    _needsResync = true;
                    _live = false;
                    return;
                case ZooKeeperState.Disconnected:
                case ZooKeeperState.Connecting:
                    _live = false;
                    return;
                case ZooKeeperState.AuthFailed:
                case ZooKeeperState.Closed:
                    foreach (var s in _subscribers)
                    {
                        s.Channel.Writer.TryComplete(state == ZooKeeperState.AuthFailed
                            ? new KvAuthenticationException($"ZooKeeper rejected the credentials; the watch of {Prefix} stopped.")
                            : new KvStoreUnavailableException($"The ZooKeeper client closed; the watch of {Prefix} stopped."));
                    }

                    _subscribers.Clear();
                    return;
            }

            if (state != ZooKeeperState.Connected || !_started)
            {
                return;
            }

            resync = _needsResync;
        }

        // Runs before callers' requests flow on the new connection: the walk sees the tree as of now.
        Task<Reply<bool>>? addWatch = null;
        if (_oneShot)
        {
            // One-shot watches are (re-)armed by the walk itself.
            _work.Writer.TryWrite(new Work(Prefix, null, TreeWalk.RunAsync(_client, Prefix, sendNow: true, watcher: _onEvent), null, VisibilityOnly: false, Resync: resync));
            return;
        }

        if (resync)
        {
            _client.RemovePersistentRecursiveWatch(Prefix, _onEvent);
            _client.Session.Watches.AddRecursive(Prefix, _onEvent);
            addWatch = _client.SendNow(new AddWatchRequest(_client.ToServerPath(Prefix), AddWatchRequest.PersistentRecursive), static (ref JuteReader _) => true);
        }

        var walk = TreeWalk.RunAsync(_client, Prefix, sendNow: true);
        _work.Writer.TryWrite(new Work(Prefix, null, walk, addWatch, VisibilityOnly: false, Resync: resync));
    }

    private async Task ProcessAsync(long coveredFrom, Task<TreeWalk> initialWalk)
    {
        TreeWalk walk;
        try
        {
            walk = await initialWalk.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // handed to the starter
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _ready.TrySetException(ex);
            return;
        }

        lock (_gate)
        {
            Load(walk, coveredFrom < 0 ? walk.StartZxid : coveredFrom);
        }

        _ready.TrySetResult();
        await foreach (var work in _work.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                if (work.Snapshot is { } request)
                {
                    _snapshotRequests.Add(request);
                }
                else if (work.Walk is not null)
                {
                    await ApplyWalkAsync(work.Walk, work.AddWatch, work.Resync).ConfigureAwait(false);
                }
                else if (work.Children is not null)
                {
                    await ApplyChildrenAsync(work.Path, work.Children).ConfigureAwait(false);
                }
                else
                {
                    await ApplyReadAsync(work.Path, work.Read!, work.VisibilityOnly).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is ZooKeeperException or ObjectDisposedException)
            {
                // The connection died under the read: the walk after the re-attach reconciles.
                KvLog.ReadFailed(_logger, Prefix, work.Path, ex.Message);
            }

            // Safe to flush on an empty queue: a change at zxid Z came from a read whose reply
            // followed every notification of Z on the stream, and those were queued (synchronously,
            // on the reader) before that reply was even read.
            if (!_work.Reader.TryPeek(out _))
            {
                lock (_gate)
                {
                    Flush();
                    AnswerSnapshots();
                }
            }
        }

        foreach (var request in _snapshotRequests)
        {
            request.Done.TrySetException(new ZooKeeperConnectionLossException($"The watch of {Prefix} is closed."));
        }
    }

    /// <summary>Answers the snapshot requests taken off the queue so far. Called with the queue empty, under the lock.</summary>
    private void AnswerSnapshots()
    {
        if (_snapshotRequests.Count == 0)
        {
            return;
        }

        foreach (var request in _snapshotRequests)
        {
            if (!_live)
            {
                // Disconnected, or the re-attach walk failed: the tree is not known to be current.
                request.Done.TrySetException(new ZooKeeperConnectionLossException($"The watch of {Prefix} is reconnecting."));
                continue;
            }

            // Every change up to the request's zxid is applied, and later changes are delivered above it.
            _revision = Math.Max(_revision, request.Zxid);
            request.Done.TrySetResult(Snapshot(request.Prefix));
        }

        _snapshotRequests.Clear();
    }

    private async Task ApplyReadAsync(string path, Task<Reply<GetDataResponse>> read, bool visibilityOnly)
    {
        var reply = await read.ConfigureAwait(false);
        lock (_gate)
        {
            _model.TryGetValue(path, out var old);
            if (reply.Error == ZooKeeperErrorCode.NoNode)
            {
                if (old is not null && !visibilityOnly)
                {
                    _model.Remove(path);
                    if (old.Visible)
                    {
                        Emit(KvChange.Delete(path, reply.Zxid, old.Value));
                    }
                }

                return;
            }

            var d = reply.GetValueOrThrow(path);
            var now = new NodeState(d.Data, d.Stat, Journaled: true);
            if (visibilityOnly)
            {
                if (old is null || old.Stat.Czxid != d.Stat.Czxid || old.Stat.Mzxid != d.Stat.Mzxid)
                {
                    return; // the node's own notification (created, changed) is queued and handles it
                }

                _model[path] = old with { Stat = d.Stat };
                if (now.Visible != old.Visible)
                {
                    long rev = Math.Max(d.Stat.Mzxid, d.Stat.Pzxid);
                    Emit(now.Visible ? KvChange.Put(path, now.Value, rev) : KvChange.Delete(path, rev, old.Value));
                }

                return;
            }

            if (old is not null && old.Stat.Czxid != d.Stat.Czxid && old.Visible)
            {
                // Deleted and created again between the notification and the read.
                Emit(KvChange.Delete(path, d.Stat.Czxid, old.Value));
                old = null;
            }

            _model[path] = now;
            if (now.Visible)
            {
                bool same = old is { Visible: true, Journaled: true } && old.Stat.Mzxid == d.Stat.Mzxid;
                if (!same)
                {
                    long rev = old is { Visible: false } && old.Stat.Mzxid == d.Stat.Mzxid ? Math.Max(d.Stat.Mzxid, d.Stat.Pzxid) : d.Stat.Mzxid;
                    Emit(KvChange.Put(path, now.Value, rev, old is { Visible: true } ? old.Value : null));
                }
            }
            else if (old is { Visible: true })
            {
                Emit(KvChange.Delete(path, Math.Max(d.Stat.Mzxid, d.Stat.Pzxid), old.Value));
            }
        }
    }

    /// <summary>One-shot mode: a node's children changed; read (and watch) the ones not known yet.</summary>
    private async Task ApplyChildrenAsync(string path, Task<Reply<GetChildren2Response>> children)
    {
        var reply = await children.ConfigureAwait(false);
        if (!reply.Ok)
        {
            return;
        }

        foreach (var name in reply.Value!.Children)
        {
            var child = path == "/" ? "/" + name : path + "/" + name;
            bool known;
            lock (_gate)
            {
                known = _model.ContainsKey(child);
            }

            if (!known)
            {
                _work.Writer.TryWrite(new Work(child, Read(child, watch: true), null, null, VisibilityOnly: false));
                _work.Writer.TryWrite(new Work(child, null, null, null, VisibilityOnly: false, Children: ReadChildren(child)));
            }
        }
    }

    private async Task ApplyWalkAsync(Task<TreeWalk> walkTask, Task<Reply<bool>>? addWatch, bool resync)
    {
        TreeWalk walk;
        long coveredFrom = 0;
        try
        {
            if (addWatch is not null)
            {
                var r = await addWatch.ConfigureAwait(false);
                coveredFrom = r.GetValueOrThrow(Prefix) ? r.Zxid : 0;
            }

            walk = await walkTask.ConfigureAwait(false);
        }
        catch (ZooKeeperException ex)
        {
            // Another loss: the next Connected schedules the next walk (and keeps the resync pending).
            KvLog.ReadFailed(_logger, Prefix, Prefix, ex.Message);
            return;
        }

        lock (_gate)
        {
            if (resync)
            {
                _needsResync = false;
                Resync(walk, addWatch is null ? walk.StartZxid : coveredFrom, "the session expired");
                return;
            }

            var missed = Diff(walk);
            if (missed is null)
            {
                Resync(walk, walk.StartZxid, "changes made while disconnected cannot be proven complete");
                return;
            }

            _model = walk.Nodes.ToDictionary(kv => kv.Key, kv => new NodeState(kv.Value.Data, kv.Value.Stat, Journaled: true), StringComparer.Ordinal);
            foreach (var c in missed.OrderBy(c => c.Revision))
            {
                Emit(c);
            }

            KvLog.Resumed(_logger, Prefix, missed.Count);
            GoLive();
        }
    }

    /// <summary>The changes between the model and <paramref name="walk"/>, or <c>null</c> when some may have been missed.</summary>
    private List<KvChange>? Diff(TreeWalk walk)
    {
        var changes = new List<KvChange>();
        var oldChildren = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var path in _model.Keys)
        {
            if (path != Prefix)
            {
                var parent = ParentOf(path);
                if (!oldChildren.TryGetValue(parent, out var list))
                {
                    oldChildren[parent] = list = [];
                }

                list.Add(path);
            }
        }

        foreach (var (path, node) in walk.Nodes)
        {
            var childPaths = node.Children.Select(c => path == "/" ? "/" + c : path + "/" + c).ToHashSet(StringComparer.Ordinal);
            if (_model.TryGetValue(path, out var old))
            {
                int dv = node.Stat.Version - old.Stat.Version;
                var before = oldChildren.TryGetValue(path, out var l) ? l : [];
                int added = childPaths.Count(c => !_model.ContainsKey(c));
                int removed = before.Count(c => !childPaths.Contains(c));
                if (old.Stat.Czxid != node.Stat.Czxid || dv is < 0 or > 1 || node.Stat.Cversion - old.Stat.Cversion != added + removed)
                {
                    return null;
                }

                if (node.Visible && (!old.Visible || dv == 1))
                {
                    changes.Add(KvChange.Put(path, node.Value, dv == 1 ? node.Stat.Mzxid : Math.Max(node.Stat.Mzxid, node.Stat.Pzxid), old.Visible ? old.Value : null));
                }
                else if (!node.Visible && old.Visible)
                {
                    changes.Add(KvChange.Delete(path, Math.Max(node.Stat.Mzxid, node.Stat.Pzxid), old.Value));
                }
            }
            else
            {
                if (node.Stat.Version != 0 || node.Stat.Cversion != node.Children.Count)
                {
                    return null;
                }

                if (node.Visible)
                {
                    changes.Add(KvChange.Put(path, node.Value, node.Stat.Mzxid));
                }
            }
        }

        foreach (var (path, old) in _model)
        {
            if (!walk.Nodes.ContainsKey(path) && old.Visible)
            {
                long rev = walk.Nodes.TryGetValue(ParentOf(path), out var parent) ? parent.Stat.Pzxid : walk.StartZxid;
                changes.Add(KvChange.Delete(path, rev, old.Value));
            }
        }

        return changes;
    }

    private void Load(TreeWalk walk, long coveredFrom)
    {
        Flush();
        // Loaded nodes are not "journaled": a notification for a change the walk already saw is
        // still journaled, since a watcher from an older snapshot needs it.
        _model = walk.Nodes.ToDictionary(kv => kv.Key, kv => new NodeState(kv.Value.Data, kv.Value.Stat, Journaled: false), StringComparer.Ordinal);
        _journal.Clear();
        _coveredFrom = coveredFrom;
        _revision = Math.Max(_revision, Math.Max(coveredFrom, walk.StartZxid));
        GoLive();
    }

    private void Resync(TreeWalk walk, long coveredFrom, string reason)
    {
        Flush();
        var pending = _subscribers.Where(s => !s.Pending).ToList();
        Load(walk, coveredFrom);
        KvLog.Resynced(_logger, Prefix, _revision, reason);
        foreach (var s in pending)
        {
            s.Channel.Writer.TryWrite(KvChangeBatch.FromResync(Snapshot(s.Prefix)));
        }
    }

    private void GoLive()
    {
        Flush();
        _live = true;
        foreach (var s in _subscribers)
        {
            if (s.Pending)
            {
                Decide(s);
            }
        }
    }

    private void Decide(Subscriber s)
    {
        s.Pending = false;
        if (s.FromRevision <= 0)
        {
            return;
        }

        if (s.FromRevision - 1 >= _coveredFrom)
        {
            var missed = _journal.Where(c => c.Revision >= s.FromRevision && KeyPath.IsUnder(c.Key, s.Prefix)).ToList();
            if (missed.Count > 0)
            {
                s.Channel.Writer.TryWrite(KvChangeBatch.FromChanges(missed));
            }
            else if (_revision >= s.FromRevision)
            {
                s.Channel.Writer.TryWrite(KvChangeBatch.Progress(_revision));
            }
        }
        else
        {
            s.Channel.Writer.TryWrite(KvChangeBatch.FromResync(Snapshot(s.Prefix)));
        }
    }

    private KvSnapshot Snapshot(string prefix) =>
        KvSnapshot.Create(prefix, _revision, _model.Where(kv => kv.Value.Visible && KeyPath.IsUnder(kv.Key, prefix)).Select(kv => new KvPair(kv.Key, kv.Value.Value, kv.Value.Stat.Mzxid)));

    /// <summary>
    /// Queues a change. Changes of one zxid (a multi; a child create and the parent it unlists) must
    /// reach watchers in one batch — a consumer skips a later batch at a revision it already has — so
    /// they are held until a change of a higher zxid comes or the work queue runs dry.
    /// </summary>
    private void Emit(KvChange change)
    {
        long rev = Math.Max(change.Revision, _revision);
        if (rev != change.Revision)
        {
            change = change with { Revision = rev };
        }

        if (_outbox.Count > 0 && rev > _outbox[^1].Revision)
        {
            Flush();
        }

        _revision = rev;
        _outbox.Add(change);
    }

    private void Flush()
    {
        if (_outbox.Count == 0)
        {
            return;
        }

        _journal.AddRange(_outbox);
        if (_journal.Count > JournalLimit)
        {
            int drop = _journal.Count - (JournalLimit / 2);
            _coveredFrom = Math.Max(_coveredFrom, _journal[drop - 1].Revision);
            _journal.RemoveRange(0, drop);
        }

        foreach (var s in _subscribers)
        {
            if (!s.Pending)
            {
                var mine = _outbox.Where(c => c.Revision >= s.FromRevision && KeyPath.IsUnder(c.Key, s.Prefix)).ToList();
                if (mine.Count > 0)
                {
                    s.Channel.Writer.TryWrite(KvChangeBatch.FromChanges(mine));
                }
            }
        }

        _outbox.Clear();
    }

    private sealed record NodeState(byte[] Data, ZooKeeperStat Stat, bool Journaled)
    {
        public bool Visible => NodeRead.IsVisible(Data.Length, Stat.NumChildren);

        public string Value => Encoding.UTF8.GetString(Data);
    }

    private sealed record Work(string Path, Task<Reply<GetDataResponse>>? Read, Task<TreeWalk>? Walk, Task<Reply<bool>>? AddWatch, bool VisibilityOnly, bool Resync = false, Task<Reply<GetChildren2Response>>? Children = null, SnapshotRequest? Snapshot = null);

    private sealed record SnapshotRequest(string Prefix, long Zxid, TaskCompletionSource<KvSnapshot> Done);

    /// <summary>One watcher of (part of) the prefix.</summary>
    internal sealed class Subscriber(string prefix, long fromRevision)
    {
        public string Prefix { get; } = prefix;

        public long FromRevision { get; } = fromRevision;

        public bool Pending { get; set; }

        public Channel<KvChangeBatch> Channel { get; } = System.Threading.Channels.Channel.CreateUnbounded<KvChangeBatch>(new UnboundedChannelOptions { SingleReader = true });
    }
}

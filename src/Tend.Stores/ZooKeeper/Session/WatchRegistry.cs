using Tend.Stores.ZooKeeper.Protocol;

namespace Tend.Stores.ZooKeeper.Session;

/// <summary>
/// The watches this client holds, by kind, keyed by client path. One-shot watches are consumed by
/// the event that fires them (following the server's rules); persistent recursive watches stay.
/// The registry is what the session replays with SetWatches2 after re-attaching.
/// <para>Handlers run on the <see cref="WatchDispatcher"/> (in event order, off the connection's
/// reader), except the store's own handlers marked with <see cref="RunInline"/>: they run on the
/// reader itself, before any later reply completes, so the reads they send keep their place in
/// the connection's order.</para>
/// </summary>
internal sealed class WatchRegistry(WatchDispatcher dispatcher)
{
    private readonly Lock _gate = new();
    private readonly HashSet<Action<ZooKeeperWatchEvent>> _inline = [];
    private readonly Dictionary<string, List<Action<ZooKeeperWatchEvent>>> _data = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Action<ZooKeeperWatchEvent>>> _exist = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Action<ZooKeeperWatchEvent>>> _child = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Action<ZooKeeperWatchEvent>>> _recursive = new(StringComparer.Ordinal);

    public void AddData(string path, Action<ZooKeeperWatchEvent> handler) => Add(_data, path, handler);

    public void AddExist(string path, Action<ZooKeeperWatchEvent> handler) => Add(_exist, path, handler);

    public void AddChild(string path, Action<ZooKeeperWatchEvent> handler) => Add(_child, path, handler);

    public void AddRecursive(string path, Action<ZooKeeperWatchEvent> handler) => Add(_recursive, path, handler);

    public void RemoveData(string path, Action<ZooKeeperWatchEvent> handler) => Remove(_data, path, handler);

    public void RemoveExist(string path, Action<ZooKeeperWatchEvent> handler) => Remove(_exist, path, handler);

    public void RemoveChild(string path, Action<ZooKeeperWatchEvent> handler) => Remove(_child, path, handler);

    public void RemoveRecursive(string path, Action<ZooKeeperWatchEvent> handler) => Remove(_recursive, path, handler);

    /// <summary>
    /// Lets <paramref name="handler"/> run on the connection's reader. Only for handlers of this
    /// library that return at once (queue work, send a request without waiting for it).
    /// </summary>
    public void RunInline(Action<ZooKeeperWatchEvent> handler)
    {
        lock (_gate)
        {
            _inline.Add(handler);
        }
    }

    /// <summary>Moves an exist watch to a data watch (exists on a present node leaves a data watch on the server).</summary>
    public void PromoteExistToData(string path, Action<ZooKeeperWatchEvent> handler)
    {
        lock (_gate)
        {
            Remove(_exist, path, handler);
            Add(_data, path, handler);
        }
    }

    /// <summary>Delivers <paramref name="e"/> to every watch it fires, in registration order (see the class remarks for which thread).</summary>
    public void Dispatch(ZooKeeperWatchEvent e)
    {
        var targets = new List<Action<ZooKeeperWatchEvent>>();
        var inline = new List<bool>();
        lock (_gate)
        {
            switch (e.Type)
            {
                case ZooKeeperEventType.NodeCreated:
                case ZooKeeperEventType.NodeDataChanged:
                    Take(_data, e.Path, targets);
                    Take(_exist, e.Path, targets);
                    break;
                case ZooKeeperEventType.NodeDeleted:
                    Take(_data, e.Path, targets);
                    Take(_exist, e.Path, targets);
                    Take(_child, e.Path, targets);
                    break;
                case ZooKeeperEventType.NodeChildrenChanged:
                    Take(_child, e.Path, targets);
                    break;
            }

            if (e.Type != ZooKeeperEventType.NodeChildrenChanged)
            {
                foreach (var (path, handlers) in _recursive)
                {
                    if (IsUnder(e.Path, path))
                    {
                        targets.AddRange(handlers);
                    }
                }
            }

            foreach (var t in targets)
            {
                inline.Add(_inline.Contains(t));
            }
        }

        // A handler holding several watches on the node (data and child) hears the event once.
        var seen = new HashSet<Action<ZooKeeperWatchEvent>>();
        for (int i = 0; i < targets.Count; i++)
        {
            var t = targets[i];
            if (!seen.Add(t))
            {
                continue;
            }

            if (inline[i])
            {
                t(e);
            }
            else
            {
                dispatcher.Post(t, e);
            }
        }
    }

    /// <summary>The watches to restore on a re-attached session, or <c>null</c> when there are none.</summary>
    public SetWatches2Request? ToSetWatches(long relativeZxid, Func<string, string> toServerPath)
    {
        lock (_gate)
        {
            if (_data.Count + _exist.Count + _child.Count + _recursive.Count == 0)
            {
                return null;
            }

            return new SetWatches2Request(
                relativeZxid,
                [.. _data.Keys.Select(toServerPath)],
                [.. _exist.Keys.Select(toServerPath)],
                [.. _child.Keys.Select(toServerPath)],
                [],
                [.. _recursive.Keys.Select(toServerPath)]);
        }
    }

    /// <summary>Removes <paramref name="handler"/> from every watch it is part of.</summary>
    public void RemoveEverywhere(Action<ZooKeeperWatchEvent> handler)
    {
        lock (_gate)
        {
            _inline.Remove(handler);
            foreach (var map in new[] { _data, _exist, _child, _recursive })
            {
                foreach (var path in map.Keys.ToList())
                {
                    Remove(map, path, handler);
                }
            }
        }
    }

    /// <summary>The session expired: the server forgot every watch, so do we (owners re-establish theirs).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _data.Clear();
            _exist.Clear();
            _child.Clear();
            _recursive.Clear();
        }
    }

    private static bool IsUnder(string path, string root) =>
        root == "/" || (path.StartsWith(root, StringComparison.Ordinal) && (path.Length == root.Length || path[root.Length] == '/'));

    private static void Take(Dictionary<string, List<Action<ZooKeeperWatchEvent>>> map, string path, List<Action<ZooKeeperWatchEvent>> into)
    {
        if (map.Remove(path, out var handlers))
        {
            into.AddRange(handlers);
        }
    }

    private void Add(Dictionary<string, List<Action<ZooKeeperWatchEvent>>> map, string path, Action<ZooKeeperWatchEvent> handler)
    {
        lock (_gate)
        {
            if (!map.TryGetValue(path, out var list))
            {
                map[path] = list = [];
            }

            // Re-arming a one-shot watch that has not fired yet must not deliver its event twice.
            if (!list.Contains(handler))
            {
                list.Add(handler);
            }
        }
    }

    private void Remove(Dictionary<string, List<Action<ZooKeeperWatchEvent>>> map, string path, Action<ZooKeeperWatchEvent> handler)
    {
        lock (_gate)
        {
            if (map.TryGetValue(path, out var list) && list.Remove(handler) && list.Count == 0)
            {
                map.Remove(path);
            }
        }
    }
}

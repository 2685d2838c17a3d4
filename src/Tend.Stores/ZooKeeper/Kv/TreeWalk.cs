using Tend.Stores.ZooKeeper.Connection;
using Tend.Stores.ZooKeeper.Protocol;

namespace Tend.Stores.ZooKeeper.Kv;

/// <summary>
/// Reads a subtree level by level, every request of a level pipelined on one connection. Not
/// atomic: <see cref="StartZxid"/> is the server's zxid when the walk began, so every change after
/// it may or may not be reflected; a watch from <c>StartZxid + 1</c> sees all of them.
/// </summary>
internal sealed class TreeWalk
{
    private TreeWalk(long startZxid, Dictionary<string, NodeRead> nodes)
    {
        StartZxid = startZxid;
        Nodes = nodes;
    }

    public long StartZxid { get; }

    /// <summary>Every node found, by client path (including parents that are not listed as keys).</summary>
    public Dictionary<string, NodeRead> Nodes { get; }

    /// <summary>
    /// Walks <paramref name="root"/>. The first level goes out before this method first yields, so a
    /// caller on a watch or state callback keeps its place in the connection's request order. With a
    /// <paramref name="watcher"/>, every node read gets one-shot data and child watches (and a missing
    /// root an exists watch) delivering to it.
    /// </summary>
    public static async Task<TreeWalk> RunAsync(ZooKeeperClient client, string root, bool sendNow, CancellationToken cancellationToken = default, Action<Session.ZooKeeperWatchEvent>? watcher = null)
    {
        bool watch = watcher is not null;
        var nodes = new Dictionary<string, NodeRead>(StringComparer.Ordinal);
        long start = 0;
        var level = new List<string> { root };
        while (level.Count > 0)
        {
            var requests = new List<(string Path, Task<Reply<GetDataResponse>> Data, Task<Reply<GetChildren2Response>> Children)>(level.Count);
            foreach (var path in level)
            {
                var server = client.ToServerPath(path);
                if (watcher is not null)
                {
                    client.Session.Watches.AddData(path, watcher);
                    client.Session.Watches.AddChild(path, watcher);
                }

                requests.Add((path, Send(client, new GetDataRequest(server, watch), GetDataResponse.Read, sendNow, cancellationToken), Send(client, new GetChildren2Request(server, watch), GetChildren2Response.Read, sendNow, cancellationToken)));
            }

            var next = new List<string>();
            foreach (var (path, dataTask, childrenTask) in requests)
            {
                var data = await dataTask.ConfigureAwait(false);
                var children = await childrenTask.ConfigureAwait(false);
                if (start == 0)
                {
                    start = data.Zxid;
                }

                if (data.Error == ZooKeeperErrorCode.NoNode || children.Error == ZooKeeperErrorCode.NoNode)
                {
                    if (watcher is not null && path == root)
                    {
                        // Nothing to watch yet: wait for the root to be created.
                        client.Session.Watches.AddExist(path, watcher);
                        _ = Send(client, new ExistsRequest(client.ToServerPath(path), true), StatResponse.Read, sendNow, cancellationToken);
                    }

                    continue; // deleted meanwhile (or never there): the watch reports it
                }

                var d = data.GetValueOrThrow(path);
                var c = children.GetValueOrThrow(path);
                nodes[path] = new NodeRead(path, d.Data, c.Stat, c.Children);
                foreach (var child in c.Children)
                {
                    // The server's own /zookeeper tree (quotas, config) is not data.
                    if (path == "/" && child == "zookeeper")
                    {
                        continue;
                    }

                    next.Add(path == "/" ? "/" + child : path + "/" + child);
                }
            }

            level = next;
        }

        return new TreeWalk(start, nodes);
    }

    private static Task<Reply<T>> Send<T>(ZooKeeperClient client, IJuteRequest request, ResponseParser<T> parser, bool now, CancellationToken cancellationToken) =>
        now ? client.SendNow(request, parser) : client.SendAsync(request, parser, cancellationToken);
}

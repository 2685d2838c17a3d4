using System.Text;
using Tend.Core.Kv;
using Tend.Stores.ZooKeeper.Connection;
using Tend.Stores.ZooKeeper.Protocol;

namespace Tend.Stores.ZooKeeper.Kv;

/// <summary>
/// Turns a <see cref="KvTransaction"/> into one ZooKeeper multi. Compares are evaluated on a fresh
/// read; the multi then re-asserts what they saw — a <c>check</c> of each compared node's version, or
/// a create+delete of the highest missing ancestor of a compared key that was missing — so a write
/// that slips in between fails the whole multi instead of being overridden.
/// </summary>
internal sealed class TransactionPlan
{
    private TransactionPlan(bool comparesHold, long readZxid, List<ZooKeeperOperation> operations)
    {
        ComparesHold = comparesHold;
        ReadZxid = readZxid;
        Operations = operations;
    }

    public bool ComparesHold { get; }

    /// <summary>The highest zxid the reads saw.</summary>
    public long ReadZxid { get; }

    public List<ZooKeeperOperation> Operations { get; }

    public static async Task<TransactionPlan> PrepareAsync(ZooKeeperClient client, KvTransaction transaction, CancellationToken cancellationToken)
    {
        var compares = transaction.Compares.Select(c => c with { Key = KeyPath.Normalize(c.Key) }).ToList();
        var operations = transaction.Operations.Select(o => o with { Key = KeyPath.Normalize(o.Key) }).ToList();
        var keys = compares.Select(c => c.Key).Concat(operations.Where(o => o.Kind != KvOperationKind.DeletePrefix).Select(o => o.Key)).Distinct(StringComparer.Ordinal).ToList();
        var paths = keys.SelectMany(k => Ancestors(k).Append(k)).Where(p => p != KeyPath.Root).Distinct(StringComparer.Ordinal).ToList();

        // Every read pipelined: keys and their ancestors.
        var reads = paths.Select(p => (Path: p, Task: client.SendAsync(new GetDataRequest(client.ToServerPath(p), false), GetDataResponse.Read, cancellationToken))).ToList();
        var nodes = new Dictionary<string, GetDataResponse?>(StringComparer.Ordinal);
        long zxid = 0;
        foreach (var (path, task) in reads)
        {
            var reply = await task.ConfigureAwait(false);
            zxid = Math.Max(zxid, reply.Zxid);
            nodes[path] = reply.Error == ZooKeeperErrorCode.NoNode ? null : reply.GetValueOrThrow(path);
        }

        GetDataResponse? Node(string p) => p == KeyPath.Root ? null : nodes[p];

        foreach (var c in compares)
        {
            var n = Node(c.Key);
            bool holds = n is not null && NodeRead.IsVisible(n.Data.Length, n.Stat.NumChildren)
                ? c.Evaluate(Encoding.UTF8.GetString(n.Data), n.Stat.Version + 1L, n.Stat.Czxid, n.Stat.Mzxid)
                : c.Evaluate(null, 0, 0, 0);
            if (!holds)
            {
                return new TransactionPlan(false, zxid, []);
            }
        }

        var ops = new List<ZooKeeperOperation>();
        foreach (var key in compares.Select(c => c.Key).Distinct(StringComparer.Ordinal))
        {
            var n = Node(key);
            if (n is not null)
            {
                ops.Add(ZooKeeperOperation.Check(key, n.Stat.Version));
            }
            else if (key != KeyPath.Root)
            {
                var missing = Ancestors(key).Append(key).First(p => p != KeyPath.Root && Node(p) is null);
                ops.Add(ZooKeeperOperation.Create(missing, ReadOnlyMemory<byte>.Empty));
                ops.Add(ZooKeeperOperation.Delete(missing));
            }
        }

        var exists = paths.Where(p => nodes[p] is not null).ToHashSet(StringComparer.Ordinal);
        exists.Add(KeyPath.Root);
        foreach (var op in operations)
        {
            switch (op.Kind)
            {
                case KvOperationKind.Put:
                    var data = Encoding.UTF8.GetBytes(op.Value ?? string.Empty);
                    if (exists.Contains(op.Key))
                    {
                        ops.Add(ZooKeeperOperation.SetData(op.Key, data));
                        break;
                    }

                    foreach (var a in Ancestors(op.Key).Where(a => !exists.Contains(a)))
                    {
                        ops.Add(ZooKeeperOperation.Create(a, ReadOnlyMemory<byte>.Empty));
                        exists.Add(a);
                    }

                    ops.Add(ZooKeeperOperation.Create(op.Key, data));
                    exists.Add(op.Key);
                    break;
                case KvOperationKind.Delete:
                    var node = Node(op.Key);
                    if (node is null || !exists.Contains(op.Key))
                    {
                        break;
                    }

                    if (node.Stat.NumChildren == 0)
                    {
                        ops.Add(ZooKeeperOperation.Delete(op.Key));
                        exists.Remove(op.Key);
                    }
                    else if (node.Data.Length > 0)
                    {
                        ops.Add(ZooKeeperOperation.SetData(op.Key, ReadOnlyMemory<byte>.Empty));
                    }

                    break;
                default:
                    var walk = await TreeWalk.RunAsync(client, op.Key, sendNow: false, cancellationToken).ConfigureAwait(false);
                    foreach (var n in walk.Nodes.Values.Where(n => n.Path != KeyPath.Root).OrderByDescending(n => n.Path.Count(ch => ch == '/')).ThenBy(n => n.Path, StringComparer.Ordinal))
                    {
                        ops.Add(ZooKeeperOperation.Delete(n.Path));
                        exists.Remove(n.Path);
                    }

                    break;
            }
        }

        // Compares alone write nothing: no multi needed.
        return new TransactionPlan(true, zxid, operations.Count > 0 ? ops : []);
    }

    /// <summary>The ancestors of <paramref name="key"/>, top-down, without the root.</summary>
    private static IEnumerable<string> Ancestors(string key)
    {
        for (int i = key.IndexOf('/', 1); i > 0; i = key.IndexOf('/', i + 1))
        {
            yield return key[..i];
        }
    }
}

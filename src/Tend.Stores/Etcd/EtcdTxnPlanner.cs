using System.Text;
using Tend.Core.Kv;

namespace Tend.Stores.Etcd;

/// <summary>
/// Turns an ordered list of <see cref="KvOperation"/>s into etcd txn operations with the same net
/// effect. etcd applies a txn's operations as a set and refuses a put whose key a delete range of the
/// same txn also covers ("duplicate key"), so a put that a later delete covers is dropped, and a delete
/// range that an later put falls into is split around that key.
/// </summary>
internal static class EtcdTxnPlanner
{
    /// <summary>One etcd txn operation: a put, or a delete of [Start, End) (End null: the key alone).</summary>
    public readonly record struct Op(bool IsPut, string Key, string? Value, byte[] Start, byte[]? End);

    public static List<Op> Plan(IReadOnlyList<KvOperation> operations)
    {
        var ops = new List<Op>();
        foreach (var operation in operations)
        {
            var key = KeyPath.Normalize(operation.Key);
            switch (operation.Kind)
            {
                case KvOperationKind.Put:
                    ArgumentNullException.ThrowIfNull(operation.Value);
                    var bytes = EtcdKeys.Key(key);
                    var split = new List<Op>();
                    foreach (var op in ops)
                    {
                        if (op.IsPut)
                        {
                            if (op.Key != key)
                            {
                                split.Add(op);
                            }
                        }
                        else if (op.End is null)
                        {
                            if (!op.Start.AsSpan().SequenceEqual(bytes))
                            {
                                split.Add(op);
                            }
                        }
                        else if (InRange(bytes, op.Start, op.End))
                        {
                            var after = EtcdKeys.After(key);
                            if (op.Start.AsSpan().SequenceCompareTo(bytes) < 0)
                            {
                                split.Add(op with { End = bytes });
                            }

                            if (after.AsSpan().SequenceCompareTo(op.End) < 0)
                            {
                                split.Add(op with { Start = after });
                            }
                        }
                        else
                        {
                            split.Add(op);
                        }
                    }

                    split.Add(new Op(true, key, operation.Value, bytes, null));
                    ops = split;
                    break;
                case KvOperationKind.Delete:
                    var keyBytes = EtcdKeys.Key(key);
                    ops.RemoveAll(o => o.IsPut && o.Key == key);
                    ops.Add(new Op(false, key, null, keyBytes, null));
                    break;
                default:
                    var self = EtcdKeys.Key(key);
                    var (start, end) = EtcdKeys.Children(key);
                    ops.RemoveAll(o => o.IsPut && (o.Key == key || InRange(o.Start, start, end)));
                    if (key != KeyPath.Root)
                    {
                        ops.Add(new Op(false, key, null, self, null));
                    }

                    ops.Add(new Op(false, key, null, start, end));
                    break;
            }
        }

        return ops;
    }

    private static bool InRange(byte[] key, byte[] start, byte[] end) =>
        key.AsSpan().SequenceCompareTo(start) >= 0 && key.AsSpan().SequenceCompareTo(end) < 0;

    /// <summary>For messages: the op's key or range.</summary>
    public static string Describe(Op op) =>
        op.End is null ? Encoding.UTF8.GetString(op.Start) : $"[{Encoding.UTF8.GetString(op.Start)}, {Encoding.UTF8.GetString(op.End)})";
}

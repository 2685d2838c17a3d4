using Tend.Core.Kv;
using Tend.Stores.Consul.Wire;

namespace Tend.Stores.Consul;

/// <summary>
/// A <see cref="KvTransaction"/> as one Consul transaction. Compares Consul can check itself become check
/// verbs: a mod revision equal to N is <c>check-index</c> (0: <c>check-not-exists</c>), "missing" is
/// <c>check-not-exists</c>, "exists" is <c>get</c> (which fails on a missing key). Other compares (values,
/// create revisions, ordering) are evaluated on a read of the key, and the transaction then re-asserts what was
/// read with a guard (<c>check-index</c> of the read modify index, or <c>check-not-exists</c>), so a write racing
/// the read fails the guard and the whole thing is read and tried again. Operations keep their order (Consul
/// applies them in order): a put is <c>set</c>, a delete <c>delete</c>, a prefix delete <c>delete-tree</c> of
/// the children plus <c>delete</c> of the key itself.
/// </summary>
internal sealed class ConsulTxnPlan
{
    private readonly List<TxnOperation> _operations = [];
    private readonly List<Role> _roles = [];

    private ConsulTxnPlan()
    {
    }

    public enum Role
    {
        Compare,
        Guard,
        Write,
    }

    public IReadOnlyList<TxnOperation> Operations => _operations;

    /// <summary>What each operation is for, by index (a failed compare means "not applied", a failed guard means "read again").</summary>
    public IReadOnlyList<Role> Roles => _roles;

    /// <summary>True when a write returns its entry (and so the transaction's index).</summary>
    public bool HasSet { get; private set; }

    /// <summary>The compares that must be evaluated on a read of their key.</summary>
    public static IReadOnlyList<KvCompare> NeedingRead(IReadOnlyList<KvCompare> compares) => compares.Where(c => Native(c) is null).ToList();

    /// <summary>Plans <paramref name="transaction"/>; <paramref name="reads"/> holds the state of every key a read-evaluated compare named (null: missing).</summary>
    /// <exception cref="KvNotSupportedException">A compare Consul cannot express (a version other than 0).</exception>
    public static ConsulTxnPlan Create(KvTransaction transaction, IReadOnlyDictionary<string, RawEntry?> reads)
    {
        var plan = new ConsulTxnPlan();
        foreach (var c in transaction.Compares)
        {
            if (Native(c) is { } op)
            {
                plan.Add(op, Role.Compare);
            }
        }

        foreach (var (key, entry) in reads.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            var consulKey = ConsulKeys.ToConsul(key);
            plan.Add(
                entry is { } e
                    ? new TxnKvOperation { Verb = "check-index", Key = consulKey, Index = (ulong)e.ModifyIndex }
                    : new TxnKvOperation { Verb = "check-not-exists", Key = consulKey },
                Role.Guard);
        }

        foreach (var o in transaction.Operations)
        {
            var key = KeyPath.Normalize(o.Key);
            switch (o.Kind)
            {
                case KvOperationKind.Put:
                    plan.Add(new TxnKvOperation { Verb = "set", Key = ConsulKeys.ToConsul(key), Value = ConsulKvCodec.EncodeValue(o.Value ?? string.Empty) }, Role.Write);
                    plan.HasSet = true;
                    break;
                case KvOperationKind.Delete:
                    plan.Add(new TxnKvOperation { Verb = "delete", Key = ConsulKeys.ToConsul(key) }, Role.Write);
                    break;
                default:
                    plan.Add(new TxnKvOperation { Verb = "delete-tree", Key = ConsulKeys.ChildrenOf(key) }, Role.Write);
                    if (key != KeyPath.Root)
                    {
                        plan.Add(new TxnKvOperation { Verb = "delete", Key = ConsulKeys.ToConsul(key) }, Role.Write);
                    }

                    break;
            }
        }

        return plan;
    }

    /// <summary>Whether a read-evaluated compare holds for what was read.</summary>
    public static bool Holds(KvCompare compare, RawEntry? entry)
    {
        RefuseUnsupported(compare);
        return entry is { } e
            ? compare.Evaluate(e.Value, 1, e.CreateIndex, e.ModifyIndex)
            : compare.Evaluate(null, 0, 0, 0);
    }

    /// <summary>The writes a successful transaction made at <paramref name="index"/>, for the own-write log (prefix deletes are left to the state diff).</summary>
    public static List<Watch.OwnWrite> OwnWrites(KvTransaction transaction, long index) =>
        transaction.Operations
            .Where(o => o.Kind != KvOperationKind.DeletePrefix)
            .Select(o => new Watch.OwnWrite(KeyPath.Normalize(o.Key), o.Kind == KvOperationKind.Put ? o.Value ?? string.Empty : null, index))
            .ToList();

    private static TxnKvOperation? Native(KvCompare c)
    {
        RefuseUnsupported(c);
        var key = ConsulKeys.ToConsul(KeyPath.Normalize(c.Key));
        return (c.Target, c.Operator, c.Number) switch
        {
            (KvCompareTarget.ModRevision or KvCompareTarget.Version or KvCompareTarget.CreateRevision, KvCompareOperator.Equal, 0) => new TxnKvOperation { Verb = "check-not-exists", Key = key },
            (KvCompareTarget.ModRevision, KvCompareOperator.Equal, var n) => new TxnKvOperation { Verb = "check-index", Key = key, Index = (ulong)n },
            (KvCompareTarget.Version or KvCompareTarget.ModRevision or KvCompareTarget.CreateRevision, KvCompareOperator.Greater or KvCompareOperator.NotEqual, 0) => new TxnKvOperation { Verb = "get", Key = key },
            _ => null,
        };
    }

    private static void RefuseUnsupported(KvCompare c)
    {
        if (c.Target == KvCompareTarget.Version && c.Number != 0)
        {
            throw new KvNotSupportedException($"Consul keeps no per-key version, so a compare of {c.Key}'s version with {c.Number} cannot be checked; compare its mod revision (Consul's modify index) instead.");
        }
    }

    private void Add(TxnKvOperation op, Role role)
    {
        _operations.Add(new TxnOperation(op));
        _roles.Add(role);
    }
}

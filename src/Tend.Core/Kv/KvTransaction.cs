namespace Tend.Core.Kv;

/// <summary>
/// An all-or-nothing multi-key write: when every compare holds, every operation is applied at one
/// revision; otherwise nothing is. Maps to an etcd txn, a ZooKeeper multi, a Consul txn.
/// </summary>
/// <param name="Compares">Conditions checked first (may be empty).</param>
/// <param name="Operations">Writes applied when every compare holds.</param>
public sealed record KvTransaction(IReadOnlyList<KvCompare> Compares, IReadOnlyList<KvOperation> Operations)
{
    /// <summary>A transaction without compares.</summary>
    public static KvTransaction Of(params KvOperation[] operations) => new([], operations);
}

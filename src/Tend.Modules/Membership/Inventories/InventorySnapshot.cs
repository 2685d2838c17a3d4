namespace Tend.Modules.Membership.Inventories;

/// <summary>What an inventory said at one moment.</summary>
/// <param name="Source">What was read, for messages: <c>auto-scaling group etcd-prod</c>, <c>SRV _etcd-server._tcp.example.com</c>.</param>
/// <param name="SelfName">This machine's member name.</param>
/// <param name="Candidates">Machines that should be members (aws: pending or running), sorted by name.</param>
/// <param name="Departed">Machines the source still lists but that are going or gone (aws: stopping, stopped, shutting-down, terminated), by name.</param>
public sealed record InventorySnapshot(string Source, string SelfName, IReadOnlyList<InventoryMember> Candidates, IReadOnlyList<string> Departed)
{
    /// <summary>This machine's entry, when the inventory lists it as a candidate.</summary>
    public InventoryMember? Self => Candidates.FirstOrDefault(c => string.Equals(c.Name, SelfName, StringComparison.Ordinal));

    /// <summary>True when <paramref name="other"/> lists the same candidates at the same addresses.</summary>
    public bool SameCandidates(InventorySnapshot other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Candidates.SequenceEqual(other.Candidates);
    }
}

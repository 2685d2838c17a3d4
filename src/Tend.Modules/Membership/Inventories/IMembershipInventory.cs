namespace Tend.Modules.Membership.Inventories;

/// <summary>A source of the machines that should be etcd members (an auto-scaling group, a list, DNS).</summary>
public interface IMembershipInventory : IDisposable
{
    /// <summary>The inventory's kind and what it reads, for logs and <c>/status</c>.</summary>
    string Description { get; }

    /// <summary>Reads the inventory now.</summary>
    /// <exception cref="MembershipInventoryException">The source could not be read or made no sense; the message says which and why.</exception>
    Task<InventorySnapshot> ReadAsync(CancellationToken cancellationToken = default);
}

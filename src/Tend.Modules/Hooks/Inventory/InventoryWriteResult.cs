namespace Tend.Modules.Hooks.Inventory;

/// <summary>What a write of the host inventory did.</summary>
/// <param name="Puts">Hosts created or given a new state.</param>
/// <param name="Deletes">Hosts deleted.</param>
/// <param name="Transactions">Store writes it took: 0 when nothing differed, 1 when it fit in one transaction, more for a journaled replace.</param>
/// <param name="Revision">The store revision at which the hosts were as asked (the read's revision when nothing was written).</param>
public sealed record InventoryWriteResult(int Puts, int Deletes, int Transactions, long Revision);

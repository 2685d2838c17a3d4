using Tend.Core.Kv;

namespace Tend.Modules.Hooks.Inventory;

/// <summary>
/// The store failed while a decided replace was being applied: readers keep waiting for it, and the
/// next write, <c>tend hosts resume</c>, or a daemon serving the inventory finishes it.
/// </summary>
public sealed class InventoryReplaceInterruptedException : KvStoreException
{
    public InventoryReplaceInterruptedException()
    {
    }

    public InventoryReplaceInterruptedException(string message)
        : base(message)
    {
    }

    public InventoryReplaceInterruptedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Describes the interruption of the replace <paramref name="guard"/> describes.</summary>
    public InventoryReplaceInterruptedException(string root, InventoryGuard guard, Exception innerException)
        : base(
            $"the replace of the hosts under {root} was decided and {guard?.Applied} of {guard?.Operations} operations are applied, but the store failed: {innerException?.Message} "
            + "It is finished by the next write, by `tend hosts resume`, or by a running daemon serving the inventory; readers wait for it meanwhile.",
            innerException)
    {
        Guard = guard;
    }

    /// <summary>The guard as this writer last committed it, when known.</summary>
    public InventoryGuard? Guard { get; }
}

namespace Tend.Modules.Hooks.Inventory;

/// <summary>A write of the host inventory that was refused and applied nothing: the tree kept changing, or the root key holds someone else's value.</summary>
public sealed class InventoryWriteException : Exception
{
    public InventoryWriteException()
    {
    }

    public InventoryWriteException(string message)
        : base(message)
    {
    }

    public InventoryWriteException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

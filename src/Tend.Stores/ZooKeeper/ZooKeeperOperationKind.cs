namespace Tend.Stores.ZooKeeper;

/// <summary>The operations a multi can hold.</summary>
internal enum ZooKeeperOperationKind
{
    Create,
    Delete,
    SetData,
    Check,
}

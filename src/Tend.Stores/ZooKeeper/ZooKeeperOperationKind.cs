namespace Tend.Stores.ZooKeeper;

/// <summary>The operations a multi can hold.</summary>
public enum ZooKeeperOperationKind
{
    Create,
    Delete,
    SetData,
    Check,
}

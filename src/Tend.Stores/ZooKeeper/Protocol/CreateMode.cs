namespace Tend.Stores.ZooKeeper.Protocol;

/// <summary>How a node is created (the wire flags).</summary>
internal enum CreateMode
{
    Persistent = 0,
    Ephemeral = 1,
    PersistentSequential = 2,
    EphemeralSequential = 3,
    Container = 4,
}

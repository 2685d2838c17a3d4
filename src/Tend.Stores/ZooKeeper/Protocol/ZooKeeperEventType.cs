namespace Tend.Stores.ZooKeeper.Protocol;

/// <summary>What a watch notification reports.</summary>
internal enum ZooKeeperEventType
{
    None = -1,
    NodeCreated = 1,
    NodeDeleted = 2,
    NodeDataChanged = 3,
    NodeChildrenChanged = 4,
    DataWatchRemoved = 5,
    ChildWatchRemoved = 6,
    PersistentWatchRemoved = 7,
}

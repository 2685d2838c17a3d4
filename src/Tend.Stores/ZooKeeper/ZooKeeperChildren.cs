using Tend.Stores.ZooKeeper.Protocol;

namespace Tend.Stores.ZooKeeper;

/// <summary>A node's child names and its own metadata.</summary>
internal sealed record ZooKeeperChildren(IReadOnlyList<string> Children, ZooKeeperStat Stat);

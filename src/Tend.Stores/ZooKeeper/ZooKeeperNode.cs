using Tend.Stores.ZooKeeper.Protocol;

namespace Tend.Stores.ZooKeeper;

/// <summary>A node's data and metadata.</summary>
internal sealed record ZooKeeperNode(byte[] Data, ZooKeeperStat Stat);

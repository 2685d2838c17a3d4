using Tend.Stores.ZooKeeper.Protocol;

namespace Tend.Stores.ZooKeeper.Session;

/// <summary>A watch notification as the client sees it (the path is relative to the chroot).</summary>
internal sealed record ZooKeeperWatchEvent(ZooKeeperEventType Type, string Path);

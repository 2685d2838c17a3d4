namespace Tend.Stores.ZooKeeper.Protocol;

/// <summary>A watch notification (reply id -1): event type, session state, node path.</summary>
internal sealed record WatcherEvent(ZooKeeperEventType Type, int State, string Path)
{
    public static WatcherEvent Read(ref JuteReader r) => new((ZooKeeperEventType)r.ReadInt(), r.ReadInt(), r.ReadString() ?? string.Empty);
}

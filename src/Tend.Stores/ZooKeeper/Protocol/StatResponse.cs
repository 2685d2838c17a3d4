namespace Tend.Stores.ZooKeeper.Protocol;

/// <summary>The reply of exists and setData: one stat.</summary>
internal static class StatResponse
{
    public static ZooKeeperStat Read(ref JuteReader r) => ZooKeeperStat.Read(ref r);
}

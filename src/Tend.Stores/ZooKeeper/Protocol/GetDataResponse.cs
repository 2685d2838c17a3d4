namespace Tend.Stores.ZooKeeper.Protocol;

/// <summary>A node's data and stat.</summary>
internal sealed record GetDataResponse(byte[] Data, ZooKeeperStat Stat)
{
    public static GetDataResponse Read(ref JuteReader r) => new(r.ReadBuffer(), ZooKeeperStat.Read(ref r));
}

namespace Tend.Stores.ZooKeeper.Protocol;

/// <summary>The metadata ZooKeeper keeps for a node (the jute <c>Stat</c> record).</summary>
internal sealed record ZooKeeperStat(
    long Czxid,
    long Mzxid,
    long Ctime,
    long Mtime,
    int Version,
    int Cversion,
    int Aversion,
    long EphemeralOwner,
    int DataLength,
    int NumChildren,
    long Pzxid)
{
    internal static ZooKeeperStat Read(ref JuteReader r) =>
        new(r.ReadLong(), r.ReadLong(), r.ReadLong(), r.ReadLong(), r.ReadInt(), r.ReadInt(), r.ReadInt(), r.ReadLong(), r.ReadInt(), r.ReadInt(), r.ReadLong());
}

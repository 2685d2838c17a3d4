namespace Tend.Stores.ZooKeeper.Protocol;

/// <summary>The created path (differs from the request for sequential nodes) and, for create2, its stat.</summary>
internal sealed record CreateResponse(string Path, ZooKeeperStat? Stat)
{
    public static CreateResponse ReadCreate(ref JuteReader r) => new(r.ReadString() ?? string.Empty, null);

    public static CreateResponse ReadCreate2(ref JuteReader r) => new(r.ReadString() ?? string.Empty, ZooKeeperStat.Read(ref r));
}

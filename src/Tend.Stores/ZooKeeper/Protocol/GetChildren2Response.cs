namespace Tend.Stores.ZooKeeper.Protocol;

/// <summary>Child names (not paths) and the parent's stat.</summary>
internal sealed record GetChildren2Response(IReadOnlyList<string> Children, ZooKeeperStat Stat)
{
    public static GetChildren2Response Read(ref JuteReader r) => new(r.ReadStrings(), ZooKeeperStat.Read(ref r));
}

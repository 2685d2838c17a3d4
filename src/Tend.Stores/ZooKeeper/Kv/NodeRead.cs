using System.Text;
using Tend.Stores.ZooKeeper.Protocol;

namespace Tend.Stores.ZooKeeper.Kv;

/// <summary>
/// What the KV view knows of one node. Every node is a potential key; it is <em>listed</em> when it
/// holds data, or when it has no children — so the empty parents ZooKeeper needs for a deep key do
/// not show up as keys, while a leaf put with an empty value does.
/// </summary>
internal sealed record NodeRead(string Path, byte[] Data, ZooKeeperStat Stat, IReadOnlyList<string> Children)
{
    public bool Visible => IsVisible(Data.Length, Stat.NumChildren);

    public string Value => Encoding.UTF8.GetString(Data);

    public static bool IsVisible(int dataLength, int numChildren) => dataLength > 0 || numChildren == 0;
}

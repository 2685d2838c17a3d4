namespace Tend.Stores.ZooKeeper.Protocol;

/// <summary>The reserved request ids; ordinary requests use positive ids in send order.</summary>
internal static class Xids
{
    public const int Notification = -1;
    public const int Ping = -2;
    public const int Auth = -4;
    public const int SetWatches = -8;
}

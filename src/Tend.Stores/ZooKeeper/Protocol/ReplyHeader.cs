namespace Tend.Stores.ZooKeeper.Protocol;

/// <summary>Precedes every reply and notification: the request id, the server's last zxid, an error code.</summary>
internal readonly record struct ReplyHeader(int Xid, long Zxid, ZooKeeperErrorCode Error)
{
    public static ReplyHeader Read(ref JuteReader r) => new(r.ReadInt(), r.ReadLong(), (ZooKeeperErrorCode)r.ReadInt());
}

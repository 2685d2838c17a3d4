namespace Tend.Stores.ZooKeeper.Protocol;

/// <summary>Precedes every request after the handshake.</summary>
internal readonly record struct RequestHeader(int Xid, OpCode Type)
{
    public void Write(JuteWriter w)
    {
        w.WriteInt(Xid);
        w.WriteInt((int)Type);
    }
}

namespace Tend.Stores.ZooKeeper.Protocol;

/// <summary>The handshake: a new session (id 0) or the re-attachment of an existing one.</summary>
internal sealed record ConnectRequest(long LastZxidSeen, int TimeoutMs, long SessionId, byte[] Password, bool ReadOnly)
{
    public void Write(JuteWriter w)
    {
        w.WriteInt(0); // protocol version
        w.WriteLong(LastZxidSeen);
        w.WriteInt(TimeoutMs);
        w.WriteLong(SessionId);
        w.WriteBuffer(Password);
        w.WriteBool(ReadOnly);
    }
}

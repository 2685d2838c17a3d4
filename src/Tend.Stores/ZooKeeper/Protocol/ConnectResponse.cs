namespace Tend.Stores.ZooKeeper.Protocol;

/// <summary>The handshake answer; a timeout of zero or less means the session has expired.</summary>
internal sealed record ConnectResponse(int ProtocolVersion, int TimeoutMs, long SessionId, byte[] Password, bool ReadOnly)
{
    public static ConnectResponse Read(ref JuteReader r)
    {
        int version = r.ReadInt();
        int timeout = r.ReadInt();
        long id = r.ReadLong();
        var password = r.ReadBuffer();

        // Servers before 3.4 do not send the read-only flag.
        bool readOnly = r.Remaining > 0 && r.ReadBool();
        return new ConnectResponse(version, timeout, id, password, readOnly);
    }
}

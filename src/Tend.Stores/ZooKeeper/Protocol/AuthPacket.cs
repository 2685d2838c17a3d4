namespace Tend.Stores.ZooKeeper.Protocol;

/// <summary>Adds an identity to the session, e.g. scheme <c>digest</c> with <c>user:password</c>.</summary>
internal sealed record AuthPacket(string Scheme, byte[] Auth) : IJuteRequest
{
    public OpCode Type => OpCode.Auth;

    public void Write(JuteWriter w)
    {
        w.WriteInt(0);
        w.WriteString(Scheme);
        w.WriteBuffer(Auth);
    }
}

namespace Tend.Stores.ZooKeeper.Protocol;

/// <summary>Keeps the session alive on an idle connection; it has no body.</summary>
internal sealed record PingRequest : IJuteRequest
{
    public static PingRequest Instance { get; } = new();

    public OpCode Type => OpCode.Ping;

    public void Write(JuteWriter w)
    {
    }
}

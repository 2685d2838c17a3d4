namespace Tend.Stores.ZooKeeper.Protocol;

/// <summary>Ends the session at once (its ephemeral nodes go with it); it has no body.</summary>
internal sealed record CloseSessionRequest : IJuteRequest
{
    public static CloseSessionRequest Instance { get; } = new();

    public OpCode Type => OpCode.CloseSession;

    public void Write(JuteWriter w)
    {
    }
}

namespace Tend.Stores.ZooKeeper.Protocol;

/// <summary>Make the connected server catch up with the leader before later reads.</summary>
internal sealed record SyncRequest(string Path) : IJuteRequest
{
    public OpCode Type => OpCode.Sync;

    public void Write(JuteWriter w) => w.WriteString(Path);

    public static string? ReadResponse(ref JuteReader r) => r.ReadString();
}

namespace Tend.Stores.ZooKeeper.Protocol;

/// <summary>Read a node's stat, optionally leaving a watch.</summary>
internal sealed record ExistsRequest(string Path, bool Watch) : IJuteRequest
{
    public OpCode Type => OpCode.Exists;

    public void Write(JuteWriter w)
    {
        w.WriteString(Path);
        w.WriteBool(Watch);
    }
}

namespace Tend.Stores.ZooKeeper.Protocol;

/// <summary>Read a node's data and stat, optionally leaving a watch.</summary>
internal sealed record GetDataRequest(string Path, bool Watch) : IJuteRequest
{
    public OpCode Type => OpCode.GetData;

    public void Write(JuteWriter w)
    {
        w.WriteString(Path);
        w.WriteBool(Watch);
    }
}

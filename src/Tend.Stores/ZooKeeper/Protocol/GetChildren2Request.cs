namespace Tend.Stores.ZooKeeper.Protocol;

/// <summary>List a node's children with its stat, optionally leaving a child watch.</summary>
internal sealed record GetChildren2Request(string Path, bool Watch) : IJuteRequest
{
    public OpCode Type => OpCode.GetChildren2;

    public void Write(JuteWriter w)
    {
        w.WriteString(Path);
        w.WriteBool(Watch);
    }
}

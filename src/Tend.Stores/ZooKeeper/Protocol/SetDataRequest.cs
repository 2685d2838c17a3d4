namespace Tend.Stores.ZooKeeper.Protocol;

/// <summary>Replace a node's data at a version (-1: any).</summary>
internal sealed record SetDataRequest(string Path, ReadOnlyMemory<byte> Data, int Version) : IJuteRequest
{
    public OpCode Type => OpCode.SetData;

    public void Write(JuteWriter w)
    {
        w.WriteString(Path);
        w.WriteBuffer(Data.Span);
        w.WriteInt(Version);
    }
}

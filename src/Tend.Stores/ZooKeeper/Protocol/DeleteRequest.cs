namespace Tend.Stores.ZooKeeper.Protocol;

/// <summary>Delete a node at a version (-1: any).</summary>
internal sealed record DeleteRequest(string Path, int Version) : IJuteRequest
{
    public OpCode Type => OpCode.Delete;

    public void Write(JuteWriter w)
    {
        w.WriteString(Path);
        w.WriteInt(Version);
    }
}

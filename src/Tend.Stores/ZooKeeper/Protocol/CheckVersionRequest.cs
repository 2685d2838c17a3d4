namespace Tend.Stores.ZooKeeper.Protocol;

/// <summary>Inside a multi: fail unless the node is at this version.</summary>
internal sealed record CheckVersionRequest(string Path, int Version) : IJuteRequest
{
    public OpCode Type => OpCode.Check;

    public void Write(JuteWriter w)
    {
        w.WriteString(Path);
        w.WriteInt(Version);
    }
}

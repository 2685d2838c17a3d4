namespace Tend.Stores.ZooKeeper.Protocol;

/// <summary>Create a node (create, create2 and createContainer share this body).</summary>
internal sealed record CreateRequest(OpCode Type, string Path, ReadOnlyMemory<byte> Data, IReadOnlyList<ZooKeeperAcl> Acl, CreateMode Mode) : IJuteRequest
{
    public void Write(JuteWriter w)
    {
        w.WriteString(Path);
        w.WriteBuffer(Data.Span);
        ZooKeeperAcl.WriteList(w, Acl);
        w.WriteInt((int)Mode);
    }
}

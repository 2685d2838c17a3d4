namespace Tend.Stores.ZooKeeper.Protocol;

/// <summary>Add a persistent watch (ZooKeeper 3.6+); mode 0 is persistent, 1 persistent recursive.</summary>
internal sealed record AddWatchRequest(string Path, int Mode) : IJuteRequest
{
    public const int PersistentRecursive = 1;

    public OpCode Type => OpCode.AddWatch;

    public void Write(JuteWriter w)
    {
        w.WriteString(Path);
        w.WriteInt(Mode);
    }
}

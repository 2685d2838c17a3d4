namespace Tend.Stores.ZooKeeper.Protocol;

/// <summary>
/// Sent after re-attaching a session to a new server: the watches the client holds, relative to the
/// last zxid it saw, so the server re-installs them and fires those whose node changed meanwhile.
/// </summary>
internal sealed record SetWatches2Request(
    long RelativeZxid,
    IReadOnlyCollection<string> DataWatches,
    IReadOnlyCollection<string> ExistWatches,
    IReadOnlyCollection<string> ChildWatches,
    IReadOnlyCollection<string> PersistentWatches,
    IReadOnlyCollection<string> PersistentRecursiveWatches) : IJuteRequest
{
    public OpCode Type => OpCode.SetWatches2;

    public void Write(JuteWriter w)
    {
        w.WriteLong(RelativeZxid);
        w.WriteStrings(DataWatches);
        w.WriteStrings(ExistWatches);
        w.WriteStrings(ChildWatches);
        w.WriteStrings(PersistentWatches);
        w.WriteStrings(PersistentRecursiveWatches);
    }
}

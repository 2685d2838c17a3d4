namespace Tend.Stores.ZooKeeper.Protocol;

/// <summary>Several create/delete/setData/check operations applied atomically.</summary>
internal sealed record MultiRequest(IReadOnlyList<IJuteRequest> Operations) : IJuteRequest
{
    public OpCode Type => OpCode.Multi;

    public void Write(JuteWriter w)
    {
        foreach (var op in Operations)
        {
            new MultiHeader((int)op.Type, false, -1).Write(w);
            op.Write(w);
        }

        new MultiHeader(-1, true, -1).Write(w);
    }
}

namespace Tend.Stores.ZooKeeper.Protocol;

/// <summary>Precedes each operation (and each result) inside a multi; <c>Done</c> marks the end.</summary>
internal readonly record struct MultiHeader(int Type, bool Done, int Error)
{
    public void Write(JuteWriter w)
    {
        w.WriteInt(Type);
        w.WriteBool(Done);
        w.WriteInt(Error);
    }

    public static MultiHeader Read(ref JuteReader r) => new(r.ReadInt(), r.ReadBool(), r.ReadInt());
}

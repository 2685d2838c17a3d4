namespace Tend.Stores.ZooKeeper.Protocol;

/// <summary>A request body: its type and how it serialises after the request header.</summary>
internal interface IJuteRequest
{
    OpCode Type { get; }

    void Write(JuteWriter writer);
}

/// <summary>Decodes a reply body (only called when the reply header carries no error).</summary>
internal delegate T ResponseParser<out T>(ref JuteReader reader);

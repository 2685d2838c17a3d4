using System.Text.Json;

namespace Tend.Stores.Etcd.Gateway;

/// <summary>The gateway's answers to the Cluster service's member calls.</summary>
internal static partial class EtcdGatewayCodec
{
    /// <summary>Reads <c>members</c> (member list/remove) or <c>member</c> (member add) into one list.</summary>
    public static (List<EtcdMember> Members, EtcdMember? Added) ReadMembers(ReadOnlySpan<byte> json)
    {
        var r = Start(json);
        var members = new List<EtcdMember>();
        EtcdMember? added = null;
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals("members"u8))
            {
                r.Read();
                while (r.Read() && r.TokenType == JsonTokenType.StartObject)
                {
                    members.Add(ReadMember(ref r));
                }
            }
            else if (r.ValueTextEquals("member"u8))
            {
                r.Read();
                added = ReadMember(ref r);
            }
            else
            {
                SkipValue(ref r);
            }
        }

        return (members, added);
    }

    private static EtcdMember ReadMember(ref Utf8JsonReader r)
    {
        ulong id = 0;
        string name = string.Empty;
        List<string> peers = [], clients = [];
        bool learner = false;
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals("ID"u8))
            {
                r.Read();
                id = ReadUInt64(ref r);
            }
            else if (r.ValueTextEquals("name"u8))
            {
                r.Read();
                name = r.GetString() ?? string.Empty;
            }
            else if (r.ValueTextEquals("peerURLs"u8))
            {
                r.Read();
                ReadStrings(ref r, peers);
            }
            else if (r.ValueTextEquals("clientURLs"u8))
            {
                r.Read();
                ReadStrings(ref r, clients);
            }
            else if (r.ValueTextEquals("isLearner"u8))
            {
                r.Read();
                learner = r.TokenType == JsonTokenType.True;
            }
            else
            {
                SkipValue(ref r);
            }
        }

        return new EtcdMember(id, name, peers, clients, learner);
    }
}

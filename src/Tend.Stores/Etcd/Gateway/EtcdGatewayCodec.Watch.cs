using System.Text.Json;
using Grpc.Core;

namespace Tend.Stores.Etcd.Gateway;

/// <summary>The messages of a gateway watch stream.</summary>
internal static partial class EtcdGatewayCodec
{
    /// <summary>Reads one message of the watch stream: <c>{"result":{…}}</c> or <c>{"error":{…}}</c>.</summary>
    public static EtcdWatchResponse ReadWatch(ReadOnlySpan<byte> json)
    {
        var r = Start(json);
        var response = new EtcdWatchResponse();
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals("result"u8))
            {
                r.Read();
                ReadWatchResult(ref r, response);
            }
            else if (r.ValueTextEquals("error"u8))
            {
                r.Read();
                response.Error = r.TokenType == JsonTokenType.StartObject
                    ? ReadErrorObject(ref r)
                    : new EtcdError(StatusCode.Unknown, r.GetString() ?? "unknown error");
            }
            else
            {
                SkipValue(ref r);
            }
        }

        return response;
    }

    private static void ReadWatchResult(ref Utf8JsonReader r, EtcdWatchResponse response)
    {
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals("header"u8))
            {
                r.Read();
                response.Revision = ReadHeader(ref r);
            }
            else if (r.ValueTextEquals("created"u8))
            {
                r.Read();
                response.Created = r.TokenType == JsonTokenType.True;
            }
            else if (r.ValueTextEquals("canceled"u8))
            {
                r.Read();
                response.Canceled = r.TokenType == JsonTokenType.True;
            }
            else if (r.ValueTextEquals("compact_revision"u8))
            {
                r.Read();
                response.CompactRevision = ReadInt64(ref r);
            }
            else if (r.ValueTextEquals("cancel_reason"u8))
            {
                r.Read();
                response.CancelReason = r.GetString();
            }
            else if (r.ValueTextEquals("events"u8))
            {
                r.Read();
                while (r.Read() && r.TokenType == JsonTokenType.StartObject)
                {
                    response.Events.Add(ReadEvent(ref r));
                }
            }
            else
            {
                SkipValue(ref r);
            }
        }
    }

    private static EtcdEvent ReadEvent(ref Utf8JsonReader r)
    {
        bool delete = false;
        EtcdKeyValue kv = default;
        string? previous = null;
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals("type"u8))
            {
                r.Read();
                delete = r.TokenType == JsonTokenType.String ? r.ValueTextEquals("DELETE"u8) : r.TokenType == JsonTokenType.Number && r.GetInt32() == 1;
            }
            else if (r.ValueTextEquals("kv"u8))
            {
                r.Read();
                kv = ReadKeyValue(ref r);
            }
            else if (r.ValueTextEquals("prev_kv"u8))
            {
                r.Read();
                previous = ReadKeyValue(ref r).Value;
            }
            else
            {
                SkipValue(ref r);
            }
        }

        return new EtcdEvent(delete, kv, previous);
    }
}

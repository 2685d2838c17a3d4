using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Tend.Core.Kv;

namespace Tend.Stores.Etcd.Gateway;

/// <summary>
/// The JSON wire format of etcd's v3 gateway: request bodies written with <see cref="Utf8JsonWriter"/>
/// and responses read with <see cref="Utf8JsonReader"/>, straight into the few fields Tend needs.
/// Keys and values travel base64-encoded; int64 fields are JSON strings.
/// </summary>
internal static class EtcdCodec
{
    public static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static void Int64(Utf8JsonWriter w, string name, long value) =>
        w.WriteString(name, value.ToString(CultureInfo.InvariantCulture));

    public static void Bytes(Utf8JsonWriter w, string name, byte[] value) => w.WriteBase64String(name, value);

    public static void Text(Utf8JsonWriter w, string name, string value) => w.WriteBase64String(name, Encoding.UTF8.GetBytes(value));

    public static byte[] Range(EtcdRangeRequest request) => Write(w =>
    {
        Bytes(w, "key", request.Key);
        if (request.End is not null)
        {
            Bytes(w, "range_end", request.End);
        }

        if (request.Limit > 0)
        {
            Int64(w, "limit", request.Limit);
        }

        if (request.Revision > 0)
        {
            Int64(w, "revision", request.Revision);
        }

        if (request.Serializable)
        {
            w.WriteBoolean("serializable", true);
        }

        if (request.CountOnly)
        {
            w.WriteBoolean("count_only", true);
        }

        if (request.KeysOnly)
        {
            w.WriteBoolean("keys_only", true);
        }

        if (request.MinModRevision > 0)
        {
            Int64(w, "min_mod_revision", request.MinModRevision);
        }
    });

    public static byte[] Put(string key, string value, long lease) => Write(w => WritePut(w, key, value, lease));

    public static byte[] DeleteRange(byte[] key, byte[]? rangeEnd) => Write(w => WriteDeleteRange(w, key, rangeEnd));

    public static void WritePut(Utf8JsonWriter w, string key, string value, long lease)
    {
        Text(w, "key", key);
        Text(w, "value", value);
        if (lease != 0)
        {
            Int64(w, "lease", lease);
        }
    }

    public static void WriteDeleteRange(Utf8JsonWriter w, byte[] key, byte[]? rangeEnd)
    {
        Bytes(w, "key", key);
        if (rangeEnd is not null)
        {
            Bytes(w, "range_end", rangeEnd);
        }
    }

    public static void WriteCompare(Utf8JsonWriter w, KvCompare compare)
    {
        w.WriteStartObject();
        Text(w, "key", KeyPath.Normalize(compare.Key));
        w.WriteString("result", compare.Operator switch
        {
            KvCompareOperator.Equal => "EQUAL",
            KvCompareOperator.NotEqual => "NOT_EQUAL",
            KvCompareOperator.Greater => "GREATER",
            _ => "LESS",
        });
        switch (compare.Target)
        {
            case KvCompareTarget.Value:
                w.WriteString("target", "VALUE");
                Text(w, "value", compare.Value ?? string.Empty);
                break;
            case KvCompareTarget.Version:
                w.WriteString("target", "VERSION");
                Int64(w, "version", compare.Number);
                break;
            case KvCompareTarget.CreateRevision:
                w.WriteString("target", "CREATE");
                Int64(w, "create_revision", compare.Number);
                break;
            default:
                w.WriteString("target", "MOD");
                Int64(w, "mod_revision", compare.Number);
                break;
        }

        w.WriteEndObject();
    }

    public static byte[] WatchCreate(byte[] key, byte[] rangeEnd, long startRevision) => Write(w =>
    {
        w.WriteStartObject("create_request");
        Bytes(w, "key", key);
        Bytes(w, "range_end", rangeEnd);
        if (startRevision > 0)
        {
            Int64(w, "start_revision", startRevision);
        }

        w.WriteBoolean("prev_kv", true);
        w.WriteBoolean("progress_notify", true);
        w.WriteEndObject();
    });

    // ---- responses ----

    /// <summary>Reads an error body (<c>{"error":"…","code":N}</c>, or the streaming form <c>{"error":{"grpc_code":N,"message":"…"}}</c>).</summary>
    public static EtcdError? ReadError(ReadOnlySpan<byte> json)
    {
        var r = new Utf8JsonReader(json);
        if (!r.Read() || r.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        string? message = null;
        int code = -1;
        bool sawError = false;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("error"u8))
            {
                sawError = true;
                r.Read();
                if (r.TokenType == JsonTokenType.StartObject)
                {
                    var inner = ReadErrorObject(ref r);
                    return inner;
                }

                message ??= r.TokenType == JsonTokenType.String ? r.GetString() : null;
            }
            else if (r.ValueTextEquals("message"u8))
            {
                r.Read();
                message = r.TokenType == JsonTokenType.String ? r.GetString() : message;
            }
            else if (r.ValueTextEquals("code"u8))
            {
                r.Read();
                code = r.TokenType == JsonTokenType.Number ? r.GetInt32() : code;
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }

        return sawError || code >= 0 ? new EtcdError(code, message ?? "unknown error") : null;
    }

    private static EtcdError ReadErrorObject(ref Utf8JsonReader r)
    {
        string message = "unknown error";
        int code = -1;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("message"u8))
            {
                r.Read();
                message = r.GetString() ?? message;
            }
            else if (r.ValueTextEquals("grpc_code"u8) || r.ValueTextEquals("code"u8))
            {
                r.Read();
                code = r.TokenType == JsonTokenType.Number ? r.GetInt32() : code;
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }

        return new EtcdError(code, message);
    }

    public static long ReadHeaderRevision(ReadOnlySpan<byte> json)
    {
        var r = Start(json);
        long rev = 0;
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals("header"u8))
            {
                r.Read();
                rev = ReadHeader(ref r);
            }
            else
            {
                SkipValue(ref r);
            }
        }

        return rev;
    }

    public static EtcdRangeResponse ReadRange(ReadOnlySpan<byte> json)
    {
        var r = Start(json);
        long rev = 0, count = 0;
        bool more = false;
        var kvs = new List<KvPair>();
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals("header"u8))
            {
                r.Read();
                rev = ReadHeader(ref r);
            }
            else if (r.ValueTextEquals("kvs"u8))
            {
                r.Read();
                while (r.Read() && r.TokenType == JsonTokenType.StartObject)
                {
                    kvs.Add(ReadPair(ref r));
                }
            }
            else if (r.ValueTextEquals("more"u8))
            {
                r.Read();
                more = r.TokenType == JsonTokenType.True;
            }
            else if (r.ValueTextEquals("count"u8))
            {
                r.Read();
                count = ReadInt64(ref r);
            }
            else
            {
                SkipValue(ref r);
            }
        }

        return new EtcdRangeResponse(rev, kvs, more, count);
    }

    /// <summary>
    /// A quick pass over a range answer that decodes nothing but the revision, <c>more</c> and the last key,
    /// so the next page can be requested before this one is parsed.
    /// </summary>
    public static (long Revision, bool More, string? LastKey) PeekRange(ReadOnlySpan<byte> json)
    {
        var r = Start(json);
        long rev = 0;
        bool more = false;
        int lastKeyStart = -1, lastKeyLength = 0;
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals("header"u8))
            {
                r.Read();
                rev = ReadHeader(ref r);
            }
            else if (r.ValueTextEquals("more"u8))
            {
                r.Read();
                more = r.TokenType == JsonTokenType.True;
            }
            else if (r.ValueTextEquals("kvs"u8))
            {
                r.Read();
                while (r.Read() && r.TokenType == JsonTokenType.StartObject)
                {
                    while (NextProperty(ref r))
                    {
                        bool isKey = r.ValueTextEquals("key"u8);
                        r.Read();
                        if (isKey)
                        {
                            lastKeyStart = (int)r.TokenStartIndex;
                            lastKeyLength = r.ValueSpan.Length + 2;
                        }

                        r.Skip();
                    }
                }
            }
            else
            {
                SkipValue(ref r);
            }
        }

        string? lastKey = null;
        if (lastKeyStart >= 0)
        {
            var key = new Utf8JsonReader(json.Slice(lastKeyStart, lastKeyLength));
            key.Read();
            lastKey = ReadBase64Text(ref key);
        }

        return (rev, more, lastKey);
    }

    public static long ReadDeleted(ReadOnlySpan<byte> json)
    {
        var r = Start(json);
        long deleted = 0;
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals("deleted"u8))
            {
                r.Read();
                deleted = ReadInt64(ref r);
            }
            else
            {
                SkipValue(ref r);
            }
        }

        return deleted;
    }

    public static EtcdTxnResponse ReadTxn(ReadOnlySpan<byte> json)
    {
        var r = Start(json);
        long rev = 0, deleted = 0;
        bool succeeded = false;
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals("header"u8))
            {
                r.Read();
                rev = ReadHeader(ref r);
            }
            else if (r.ValueTextEquals("succeeded"u8))
            {
                r.Read();
                succeeded = r.TokenType == JsonTokenType.True;
            }
            else if (r.ValueTextEquals("responses"u8))
            {
                r.Read();
                while (r.Read() && r.TokenType == JsonTokenType.StartObject)
                {
                    while (NextProperty(ref r))
                    {
                        if (r.ValueTextEquals("response_delete_range"u8))
                        {
                            r.Read();
                            while (NextProperty(ref r))
                            {
                                if (r.ValueTextEquals("deleted"u8))
                                {
                                    r.Read();
                                    deleted += ReadInt64(ref r);
                                }
                                else
                                {
                                    SkipValue(ref r);
                                }
                            }
                        }
                        else
                        {
                            SkipValue(ref r);
                        }
                    }
                }
            }
            else
            {
                SkipValue(ref r);
            }
        }

        return new EtcdTxnResponse(rev, succeeded, deleted);
    }

    /// <summary>Reads a lease grant answer, or a keep-alive answer (which is wrapped in <c>{"result":…}</c>).</summary>
    public static EtcdLeaseResponse ReadLease(ReadOnlySpan<byte> json)
    {
        var r = Start(json);
        return ReadLeaseObject(ref r);
    }

    private static EtcdLeaseResponse ReadLeaseObject(ref Utf8JsonReader r)
    {
        long rev = 0, id = 0, ttl = 0;
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals("result"u8))
            {
                r.Read();
                var inner = ReadLeaseObject(ref r);
                (rev, id, ttl) = (inner.Revision, inner.Id, inner.Ttl);
            }
            else if (r.ValueTextEquals("header"u8))
            {
                r.Read();
                rev = ReadHeader(ref r);
            }
            else if (r.ValueTextEquals("ID"u8))
            {
                r.Read();
                id = ReadInt64(ref r);
            }
            else if (r.ValueTextEquals("TTL"u8))
            {
                r.Read();
                ttl = ReadInt64(ref r);
            }
            else
            {
                SkipValue(ref r);
            }
        }

        return new EtcdLeaseResponse(rev, id, ttl);
    }

    public static string? ReadToken(ReadOnlySpan<byte> json)
    {
        var r = Start(json);
        string? token = null;
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals("token"u8))
            {
                r.Read();
                token = r.GetString();
            }
            else
            {
                SkipValue(ref r);
            }
        }

        return token;
    }

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
                    : new EtcdError(-1, r.GetString() ?? "unknown error");
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

    private static KvPair ReadPair(ref Utf8JsonReader r)
    {
        var kv = ReadKeyValue(ref r);
        return new KvPair(kv.Key, kv.Value, kv.ModRevision);
    }

    private static EtcdKeyValue ReadKeyValue(ref Utf8JsonReader r)
    {
        string key = string.Empty, value = string.Empty;
        long create = 0, mod = 0, version = 0, lease = 0;
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals("key"u8))
            {
                r.Read();
                key = ReadBase64Text(ref r);
            }
            else if (r.ValueTextEquals("value"u8))
            {
                r.Read();
                value = ReadBase64Text(ref r);
            }
            else if (r.ValueTextEquals("create_revision"u8))
            {
                r.Read();
                create = ReadInt64(ref r);
            }
            else if (r.ValueTextEquals("mod_revision"u8))
            {
                r.Read();
                mod = ReadInt64(ref r);
            }
            else if (r.ValueTextEquals("version"u8))
            {
                r.Read();
                version = ReadInt64(ref r);
            }
            else if (r.ValueTextEquals("lease"u8))
            {
                r.Read();
                lease = ReadInt64(ref r);
            }
            else
            {
                SkipValue(ref r);
            }
        }

        return new EtcdKeyValue(key, value, create, mod, version, lease);
    }

    private static long ReadHeader(ref Utf8JsonReader r)
    {
        long rev = 0;
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals("revision"u8))
            {
                r.Read();
                rev = ReadInt64(ref r);
            }
            else
            {
                SkipValue(ref r);
            }
        }

        return rev;
    }

    private static void ReadStrings(ref Utf8JsonReader r, List<string> into)
    {
        while (r.Read() && r.TokenType == JsonTokenType.String)
        {
            into.Add(r.GetString()!);
        }
    }

    /// <summary>Decodes a base64 string value to text without an intermediate byte array for short values.</summary>
    private static string ReadBase64Text(ref Utf8JsonReader r)
    {
        if (r.TokenType != JsonTokenType.String)
        {
            return string.Empty;
        }

        if (r.ValueIsEscaped || r.HasValueSequence)
        {
            return Encoding.UTF8.GetString(r.GetBytesFromBase64());
        }

        var encoded = r.ValueSpan;
        int max = Base64.GetMaxDecodedFromUtf8Length(encoded.Length);
        byte[]? rented = null;
        Span<byte> buffer = max <= 512 ? stackalloc byte[max] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            if (Base64.DecodeFromUtf8(encoded, buffer, out _, out int written) != OperationStatus.Done)
            {
                throw new JsonException("A key or value is not valid base64.");
            }

            return Encoding.UTF8.GetString(buffer[..written]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static long ReadInt64(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Number)
        {
            return r.GetInt64();
        }

        if (r.TokenType == JsonTokenType.String && Utf8Parser.TryParse(r.ValueSpan, out long v, out _))
        {
            return v;
        }

        return 0;
    }

    private static ulong ReadUInt64(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Number)
        {
            return r.GetUInt64();
        }

        if (r.TokenType == JsonTokenType.String && Utf8Parser.TryParse(r.ValueSpan, out ulong v, out _))
        {
            return v;
        }

        return 0;
    }

    private static Utf8JsonReader Start(ReadOnlySpan<byte> json)
    {
        var r = new Utf8JsonReader(json);
        if (!r.Read() || r.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("etcd answered with something that is not a JSON object.");
        }

        return r;
    }

    /// <summary>Moves to the next property name of the current object; false at its end.</summary>
    private static bool NextProperty(ref Utf8JsonReader r) => r.Read() && r.TokenType == JsonTokenType.PropertyName;

    private static void SkipValue(ref Utf8JsonReader r)
    {
        r.Read();
        r.Skip();
    }
}

using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Tend.Core.Kv;

namespace Tend.Stores.Etcd.Gateway;

/// <summary>
/// The JSON wire format of etcd's v3 gateway, the counterpart of <see cref="Grpc.EtcdGrpcCodec"/>: request bodies
/// written with <see cref="Utf8JsonWriter"/> (this file) and answers read with <see cref="Utf8JsonReader"/> straight
/// into the few fields Tend needs (<c>.Responses</c>, <c>.Watch</c>, and the reading primitives in <c>.Reader</c>).
/// Keys and values travel base64-encoded; int64 fields are JSON strings.
/// </summary>
internal static partial class EtcdGatewayCodec
{
   private static byte[] Write(Action<Utf8JsonWriter> body)
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

    private static void Int64(Utf8JsonWriter w, string name, long value) =>
        w.WriteString(name, value.ToString(CultureInfo.InvariantCulture));

    private static void Bytes(Utf8JsonWriter w, string name, byte[] value) => w.WriteBase64String(name, value);

    private static void Text(Utf8JsonWriter w, string name, string value) => w.WriteBase64String(name, Encoding.UTF8.GetBytes(value));

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

    private static void WritePut(Utf8JsonWriter w, string key, string value, long lease)
    {
        Text(w, "key", key);
        Text(w, "value", value);
        if (lease != 0)
        {
            Int64(w, "lease", lease);
        }
    }

    private static void WriteDeleteRange(Utf8JsonWriter w, byte[] key, byte[]? rangeEnd)
    {
        Bytes(w, "key", key);
        if (rangeEnd is not null)
        {
            Bytes(w, "range_end", rangeEnd);
        }
    }

    private static void WriteCompare(Utf8JsonWriter w, KvCompare compare)
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

    public static byte[] Txn(IReadOnlyList<KvCompare> compares, IReadOnlyList<EtcdTxnPlanner.Op> operations) => Write(w =>
    {
        w.WriteStartArray("compare");
        foreach (var c in compares)
        {
            WriteCompare(w, c);
        }

        w.WriteEndArray();
        w.WriteStartArray("success");
        foreach (var op in operations)
        {
            w.WriteStartObject();
            if (op.IsPut)
            {
                w.WriteStartObject("request_put");
                WritePut(w, op.Key, op.Value!, 0);
            }
            else
            {
                w.WriteStartObject("request_delete_range");
                WriteDeleteRange(w, op.Start, op.End);
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteEndArray();
    });

    public static byte[] Compaction(long revision, bool physical) => Write(w =>
    {
        Int64(w, "revision", revision);
        if (physical)
        {
            w.WriteBoolean("physical", true);
        }
    });

    public static byte[] LeaseGrant(long ttlSeconds) => Write(w => Int64(w, "TTL", ttlSeconds));

    /// <summary>A keep-alive or revoke request: the lease id alone.</summary>
    public static byte[] Lease(long lease) => Write(w => Int64(w, "ID", lease));

    public static byte[] Authenticate(string username, string password) => Write(w =>
    {
        w.WriteString("name", username);
        w.WriteString("password", password);
    });

    public static byte[] MemberList() => Write(static _ => { });

    public static byte[] MemberAdd(IReadOnlyList<string> peerUrls, bool isLearner) => Write(w =>
    {
        w.WriteStartArray("peerURLs");
        foreach (var u in peerUrls)
        {
            w.WriteStringValue(u);
        }

        w.WriteEndArray();
        if (isLearner)
        {
            w.WriteBoolean("isLearner", true);
        }
    });

    public static byte[] MemberRemove(ulong id) => Write(w => w.WriteString("ID", id.ToString(CultureInfo.InvariantCulture)));

    public static byte[] MemberPromote(ulong id) => Write(w => w.WriteString("ID", id.ToString(CultureInfo.InvariantCulture)));
}

using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Tend.Core.Kv;

namespace Tend.Stores.Etcd.Grpc;

/// <summary>
/// The Range call with its answer decoded by hand, straight from the protobuf bytes into the store's own
/// key-values: no generated KeyValue/ByteString objects per key, which for a 100,000-key listing is most
/// of the client's allocations and CPU. Requests still use the generated <see cref="RangeRequest"/>.
/// </summary>
internal static class EtcdGrpcRangeCodec
{
    public static readonly Method<RangeRequest, EtcdRangeResponse> Range = new(
        MethodType.Unary,
        "etcdserverpb.KV",
        "Range",
        Marshallers.Create<RangeRequest>(static (r, context) => context.Complete(r.ToByteArray()), static context => RangeRequest.Parser.ParseFrom(context.PayloadAsReadOnlySequence())),
        Marshallers.Create<EtcdRangeResponse>(static (_, _) => throw new NotSupportedException("Range answers are only read."), Deserialize));

    private static EtcdRangeResponse Deserialize(DeserializationContext context)
    {
        var payload = context.PayloadAsReadOnlySequence();
        if (payload.IsSingleSegment)
        {
            return Parse(payload.FirstSpan);
        }

        var rented = ArrayPool<byte>.Shared.Rent(checked((int)payload.Length));
        try
        {
            payload.CopyTo(rented);
            return Parse(rented.AsSpan(0, (int)payload.Length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Reads a RangeResponse: header (1) → revision (3), kvs (2) → key (1), mod_revision (3), value (5); more (3), count (4); other fields are skipped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static EtcdRangeResponse Parse(ReadOnlySpan<byte> data)
    {
        long revision = 0, count = 0;
        bool more = false;
        List<KvPair>? kvs = null;
        int pos = 0;
        while (pos < data.Length)
        {
            ulong tag = ReadVarint(data, ref pos);
            int field = (int)(tag >> 3);
            int wire = (int)(tag & 7);
            if (field == 1 && wire == 2)
            {
                revision = ReadHeaderRevision(Delimited(data, ref pos));
            }
            else if (field == 2 && wire == 2)
            {
                // Up to 10,000 references: below the large object heap's threshold.
                kvs ??= new List<KvPair>(count > 0 ? (int)Math.Min(count, 10_000) : 16);
                kvs.Add(ReadKeyValue(Delimited(data, ref pos)));
            }
            else if (field == 3 && wire == 0)
            {
                more = ReadVarint(data, ref pos) != 0;
            }
            else if (field == 4 && wire == 0)
            {
                count = (long)ReadVarint(data, ref pos);
            }
            else
            {
                Skip(data, ref pos, wire);
            }
        }

        return new EtcdRangeResponse(revision, kvs ?? [], more, count);
    }

    private static long ReadHeaderRevision(ReadOnlySpan<byte> data)
    {
        long revision = 0;
        int pos = 0;
        while (pos < data.Length)
        {
            ulong tag = ReadVarint(data, ref pos);
            if (tag == (3 << 3))
            {
                revision = (long)ReadVarint(data, ref pos);
            }
            else
            {
                Skip(data, ref pos, (int)(tag & 7));
            }
        }

        return revision;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static KvPair ReadKeyValue(ReadOnlySpan<byte> data)
    {
        string key = string.Empty, value = string.Empty;
        long mod = 0;
        int pos = 0;
        while (pos < data.Length)
        {
            ulong tag = ReadVarint(data, ref pos);
            switch (tag)
            {
                case (1 << 3) | 2:
                    key = Encoding.UTF8.GetString(Delimited(data, ref pos));
                    break;
                case 3 << 3:
                    mod = (long)ReadVarint(data, ref pos);
                    break;
                case (5 << 3) | 2:
                    value = Encoding.UTF8.GetString(Delimited(data, ref pos));
                    break;
                default:
                    Skip(data, ref pos, (int)(tag & 7));
                    break;
            }
        }

        return new KvPair(key, value, mod);
    }

    private static ReadOnlySpan<byte> Delimited(ReadOnlySpan<byte> data, ref int pos)
    {
        int length = checked((int)ReadVarint(data, ref pos));
        if ((uint)length > (uint)(data.Length - pos))
        {
            throw new InvalidDataException("etcd's range answer is truncated.");
        }

        var slice = data.Slice(pos, length);
        pos += length;
        return slice;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int pos)
    {
        ulong result = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (pos >= data.Length)
            {
                throw new InvalidDataException("etcd's range answer is truncated.");
            }

            byte b = data[pos++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        throw new InvalidDataException("etcd's range answer has a malformed varint.");
    }

    private static void Skip(ReadOnlySpan<byte> data, ref int pos, int wire)
    {
        switch (wire)
        {
            case 0:
                ReadVarint(data, ref pos);
                break;
            case 1:
                pos += 8;
                break;
            case 2:
                Delimited(data, ref pos);
                break;
            case 5:
                pos += 4;
                break;
            default:
                throw new InvalidDataException($"etcd's range answer has an unsupported wire type {wire}.");
        }

        if (pos > data.Length)
        {
            throw new InvalidDataException("etcd's range answer is truncated.");
        }
    }
}

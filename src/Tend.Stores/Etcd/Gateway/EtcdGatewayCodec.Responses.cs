using System.Text.Json;
using Grpc.Core;
using Tend.Core.Kv;

namespace Tend.Stores.Etcd.Gateway;

/// <summary>The gateway's unary answers: errors, ranges, deletes, txns, leases, tokens.</summary>
internal static partial class EtcdGatewayCodec
{
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

        return sawError || code >= 0 ? new EtcdError(Code(code), message ?? "unknown error") : null;
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

        return new EtcdError(Code(code), message);
    }

    /// <summary>The gRPC status code the gateway passed through; Unknown when it passed none.</summary>
    private static StatusCode Code(int code) => code >= 0 ? (StatusCode)code : StatusCode.Unknown;

    public static long ReadHeaderRevision(ReadOnlySpan<byte> json)
    {
        var r = Start(json);
        return SeekProperty(ref r, "header"u8) ? ReadHeader(ref r) : 0;
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

    public static long ReadDeleted(ReadOnlySpan<byte> json)
    {
        var r = Start(json);
        return ReadInt64Property(ref r, "deleted"u8);
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
                            deleted += ReadInt64Property(ref r, "deleted"u8);
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
        return SeekProperty(ref r, "token"u8) ? r.GetString() : null;
    }
}

using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Tend.Core.Kv;

namespace Tend.Stores.Etcd.Gateway;

/// <summary>Reading primitives shared by the answers: key-values, headers, etcd's int64-as-string, base64 text.</summary>
internal static partial class EtcdGatewayCodec
{
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

    private static long ReadHeader(ref Utf8JsonReader r) => ReadInt64Property(ref r, "revision"u8);

    /// <summary>Moves to the value of the property <paramref name="name"/> of the current object, skipping the others; false when it has none.</summary>
    private static bool SeekProperty(ref Utf8JsonReader r, ReadOnlySpan<byte> name)
    {
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals(name))
            {
                r.Read();
                return true;
            }

            SkipValue(ref r);
        }

        return false;
    }

    /// <summary>Reads the current object to its end; the number in its property <paramref name="name"/>, 0 when it has none.</summary>
    private static long ReadInt64Property(ref Utf8JsonReader r, ReadOnlySpan<byte> name)
    {
        long value = 0;
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals(name))
            {
                r.Read();
                value = ReadInt64(ref r);
            }
            else
            {
                SkipValue(ref r);
            }
        }

        return value;
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

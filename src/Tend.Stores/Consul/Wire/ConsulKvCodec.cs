using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace Tend.Stores.Consul.Wire;

/// <summary>
/// Decodes <c>/v1/kv/…?recurse</c> answers (a JSON array of entries) with <see cref="Utf8JsonReader"/> straight
/// into keys and values: the base64 of each value is decoded from the answer's bytes into a pooled buffer and
/// from there into the string, without the intermediate strings and byte arrays a serializer would make. Values
/// are raw bytes in Consul; Tend reads them as UTF-8 text.
/// </summary>
internal static class ConsulKvCodec
{
    /// <summary>The entries of a listing answer, in the order Consul sent them (its key order).</summary>
    /// <exception cref="JsonException">The answer is not a JSON array of KV entries.</exception>
    public static List<RawEntry> ReadEntries(ReadOnlySpan<byte> json)
    {
        var entries = new List<RawEntry>();
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        if (!reader.Read() || reader.TokenType == JsonTokenType.Null)
        {
            return entries;
        }

        Expect(ref reader, JsonTokenType.StartArray);
        byte[]? buffer = null;
        try
        {
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                Expect(ref reader, JsonTokenType.StartObject);
                entries.Add(ReadEntry(ref reader, ref buffer));
            }
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        return entries;
    }

    /// <summary>Decodes base64 text (a transaction's value) as UTF-8; null and empty are the empty value.</summary>
    public static string DecodeValue(string? base64) =>
        string.IsNullOrEmpty(base64) ? string.Empty : Encoding.UTF8.GetString(Convert.FromBase64String(base64));

    /// <summary>Encodes a value as the base64 of its UTF-8 bytes (how transactions carry raw bytes).</summary>
    public static string EncodeValue(string value) => Convert.ToBase64String(Encoding.UTF8.GetBytes(value));

    private static RawEntry ReadEntry(ref Utf8JsonReader reader, ref byte[]? buffer)
    {
        string? key = null;
        string value = string.Empty;
        long create = 0, modify = 0;
        string? session = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            Expect(ref reader, JsonTokenType.PropertyName);
            if (reader.ValueTextEquals("Key"u8))
            {
                reader.Read();
                key = reader.GetString();
            }
            else if (reader.ValueTextEquals("Value"u8))
            {
                reader.Read();
                value = reader.TokenType == JsonTokenType.Null ? string.Empty : ReadBase64Text(ref reader, ref buffer);
            }
            else if (reader.ValueTextEquals("ModifyIndex"u8))
            {
                reader.Read();
                modify = reader.GetInt64();
            }
            else if (reader.ValueTextEquals("CreateIndex"u8))
            {
                reader.Read();
                create = reader.GetInt64();
            }
            else if (reader.ValueTextEquals("Session"u8))
            {
                reader.Read();
                session = reader.TokenType == JsonTokenType.Null ? null : reader.GetString();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new RawEntry(key ?? throw new JsonException("a KV entry without a Key"), value, create, modify, session);
    }

    private static string ReadBase64Text(ref Utf8JsonReader reader, ref byte[]? buffer)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"a KV Value must be a base64 string, not {reader.TokenType}");
        }

        if (reader.ValueIsEscaped || reader.HasValueSequence)
        {
            return DecodeValue(reader.GetString());
        }

        var text = reader.ValueSpan;
        if (text.IsEmpty)
        {
            return string.Empty;
        }

        int max = Base64.GetMaxDecodedFromUtf8Length(text.Length);
        if (buffer is null || buffer.Length < max)
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            buffer = ArrayPool<byte>.Shared.Rent(Math.Max(max, 256));
        }

        var status = Base64.DecodeFromUtf8(text, buffer, out _, out int written);
        if (status != OperationStatus.Done)
        {
            throw new JsonException("a KV Value is not valid base64");
        }

        return Encoding.UTF8.GetString(buffer, 0, written);
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (reader.TokenType != type)
        {
            throw new JsonException($"expected {type}, found {reader.TokenType} at byte {reader.TokenStartIndex}");
        }
    }
}

using System.Buffers;
using System.Text;
using System.Text.Json;
using Tend.Core.Kv;

namespace Tend.Modules.Hooks.Inventory;

/// <summary>
/// The operations of a replace too large for one transaction, as stored while it is applied: JSON
/// arrays of <c>["type/ordinal", "state"]</c> (a put) or <c>["type/ordinal"]</c> (a delete), keys
/// relative to the root, cut into parts of a bounded size. Decoding accepts host keys only, so a
/// tampered journal can never make Tend write anything but hosts.
/// </summary>
internal static class InventoryJournal
{
    /// <summary>Encodes <paramref name="operations"/> (puts and deletes of host keys) into at most <paramref name="maxParts"/> parts of about <paramref name="partBytes"/> bytes.</summary>
    public static List<string> Encode(IReadOnlyList<KvOperation> operations, HostInventory inventory, int partBytes, int maxParts)
    {
        long total = 0;
        foreach (var op in operations)
        {
            total += op.Key.Length + (op.Value?.Length ?? 0) + 8;
        }

        // More than maxParts at the usual size: bigger parts instead (they are written one per request).
        long size = Math.Max(partBytes, (total / Math.Max(1, maxParts)) + 1024);
        var parts = new List<string>();
        var buffer = new ArrayBufferWriter<byte>((int)Math.Min(size + 4096, int.MaxValue));
        var json = new Utf8JsonWriter(buffer);
        json.WriteStartArray();
        int skip = inventory.Root.Length + 1;
        foreach (var op in operations)
        {
            json.WriteStartArray();
            json.WriteStringValue(op.Key.AsSpan(skip));
            if (op.Kind == KvOperationKind.Put)
            {
                json.WriteStringValue(op.Value);
            }

            json.WriteEndArray();
            if (json.BytesPending + buffer.WrittenCount >= size)
            {
                Flush();
            }
        }

        if (json.BytesPending + buffer.WrittenCount > 1 || parts.Count == 0)
        {
            Flush();
        }

        json.Dispose();
        return parts;

        void Flush()
        {
            json.WriteEndArray();
            json.Flush();
            parts.Add(Encoding.UTF8.GetString(buffer.WrittenSpan));
            buffer.Clear();
            json.Reset(buffer);
            json.WriteStartArray();
        }
    }

    /// <summary>Decodes the parts, in order, into operations on host keys.</summary>
    /// <exception cref="FormatException">A part is not a journal, or names something that is not a host.</exception>
    public static List<KvOperation> Decode(IReadOnlyList<string> parts, HostInventory inventory)
    {
        var ops = new List<KvOperation>();
        foreach (var part in parts)
        {
            try
            {
                using var doc = JsonDocument.Parse(part);
                if (doc.RootElement.ValueKind != JsonValueKind.Array)
                {
                    throw new FormatException("a journal part is not a JSON array");
                }

                foreach (var entry in doc.RootElement.EnumerateArray())
                {
                    if (entry.ValueKind != JsonValueKind.Array || entry.GetArrayLength() is not (1 or 2) || entry[0].ValueKind != JsonValueKind.String)
                    {
                        throw new FormatException($"a journal entry is not [\"type/ordinal\"] or [\"type/ordinal\", \"state\"]: {entry.GetRawText()}");
                    }

                    var key = inventory.Root + "/" + entry[0].GetString();
                    if (!inventory.TryParseKey(key, out _, out _))
                    {
                        throw new FormatException($"the journal names {key}, which is not a host key");
                    }

                    if (entry.GetArrayLength() == 1)
                    {
                        ops.Add(KvOperation.Delete(key));
                    }
                    else if (entry[1].ValueKind == JsonValueKind.String)
                    {
                        var state = entry[1].GetString()!;
                        HostInventory.ValidateState(key, state);
                        ops.Add(KvOperation.Put(key, state));
                    }
                    else
                    {
                        throw new FormatException($"the journal's state for {key} is not a string");
                    }
                }
            }
            catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException)
            {
                throw new FormatException($"the journal is unreadable: {ex.Message}", ex);
            }
        }

        return ops;
    }
}

using System.Buffers.Binary;
using System.Text;

namespace Tend.Stores.Dns;

/// <summary>
/// The DNS wire format (RFC 1035) as far as an SRV lookup needs it: a one-question query, and an
/// answer section of SRV records whose names may use compression pointers.
/// </summary>
internal static class DnsMessage
{
    public const ushort TypeSrv = 33;
    public const ushort ClassIn = 1;

    /// <summary>The header flags' response code: 0 no error, 3 the name does not exist.</summary>
    public const int RcodeNameError = 3;

    /// <summary>Builds a recursive query for <paramref name="name"/> of <paramref name="type"/>.</summary>
    public static byte[] BuildQuery(ushort id, string name, ushort type = TypeSrv)
    {
        var labels = name.TrimEnd('.').Split('.');
        int length = 12 + 1 + 4;
        foreach (var l in labels)
        {
            int n = Encoding.ASCII.GetByteCount(l);
            if (n is 0 or > 63)
            {
                throw new ArgumentException($"'{name}' is not a valid DNS name.", nameof(name));
            }

            length += 1 + n;
        }

        var packet = new byte[length];
        var span = packet.AsSpan();
        BinaryPrimitives.WriteUInt16BigEndian(span, id);
        BinaryPrimitives.WriteUInt16BigEndian(span[2..], 0x0100); // RD: ask the resolver to recurse
        BinaryPrimitives.WriteUInt16BigEndian(span[4..], 1);      // one question
        int at = 12;
        foreach (var l in labels)
        {
            int n = Encoding.ASCII.GetBytes(l, span[(at + 1)..]);
            span[at] = (byte)n;
            at += 1 + n;
        }

        span[at++] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(span[at..], type);
        BinaryPrimitives.WriteUInt16BigEndian(span[(at + 2)..], ClassIn);
        return packet;
    }

    /// <summary>The parts of a response an SRV lookup uses.</summary>
    public sealed record Response(ushort Id, bool Truncated, int ResponseCode, IReadOnlyList<SrvRecord> Records);

    /// <summary>Parses a response, keeping the SRV records of the answer section.</summary>
    /// <exception cref="FormatException">The packet is malformed.</exception>
    public static Response ParseResponse(ReadOnlySpan<byte> packet)
    {
        if (packet.Length < 12)
        {
            throw new FormatException("DNS answer shorter than its header.");
        }

        ushort id = BinaryPrimitives.ReadUInt16BigEndian(packet);
        ushort flags = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        if ((flags & 0x8000) == 0)
        {
            throw new FormatException("DNS packet is a query, not an answer.");
        }

        int questions = BinaryPrimitives.ReadUInt16BigEndian(packet[4..]);
        int answers = BinaryPrimitives.ReadUInt16BigEndian(packet[6..]);
        int at = 12;
        for (int i = 0; i < questions; i++)
        {
            ReadName(packet, ref at);
            at += 4;
        }

        var records = new List<SrvRecord>();
        for (int i = 0; i < answers; i++)
        {
            ReadName(packet, ref at);
            Need(packet, at, 10);
            ushort type = BinaryPrimitives.ReadUInt16BigEndian(packet[at..]);
            ushort rdLength = BinaryPrimitives.ReadUInt16BigEndian(packet[(at + 8)..]);
            at += 10;
            Need(packet, at, rdLength);
            if (type == TypeSrv)
            {
                if (rdLength < 7)
                {
                    throw new FormatException("SRV record data too short.");
                }

                int data = at;
                var priority = BinaryPrimitives.ReadUInt16BigEndian(packet[data..]);
                var weight = BinaryPrimitives.ReadUInt16BigEndian(packet[(data + 2)..]);
                var port = BinaryPrimitives.ReadUInt16BigEndian(packet[(data + 4)..]);
                int nameAt = data + 6;
                var target = ReadName(packet, ref nameAt);
                records.Add(new SrvRecord(priority, weight, port, target));
            }

            at += rdLength;
        }

        return new Response(id, (flags & 0x0200) != 0, flags & 0x000F, records);
    }

    /// <summary>Reads a (possibly compressed) name at <paramref name="at"/> and moves past it.</summary>
    public static string ReadName(ReadOnlySpan<byte> packet, ref int at)
    {
        var name = new StringBuilder();
        int position = at;
        bool jumped = false;
        int jumps = 0;
        while (true)
        {
            Need(packet, position, 1);
            byte length = packet[position];
            if ((length & 0xC0) == 0xC0)
            {
                Need(packet, position, 2);
                int target = ((length & 0x3F) << 8) | packet[position + 1];
                if (!jumped)
                {
                    at = position + 2;
                    jumped = true;
                }

                // A pointer must point backwards; a loop of pointers would never end.
                if (target >= position || ++jumps > 64)
                {
                    throw new FormatException("DNS name compression pointer loops or points forward.");
                }

                position = target;
                continue;
            }

            if ((length & 0xC0) != 0)
            {
                throw new FormatException("DNS label with reserved length bits.");
            }

            position++;
            if (length == 0)
            {
                break;
            }

            Need(packet, position, length);
            if (name.Length > 0)
            {
                name.Append('.');
            }

            name.Append(Encoding.ASCII.GetString(packet.Slice(position, length)));
            position += length;
        }

        if (!jumped)
        {
            at = position;
        }

        return name.ToString();
    }

    private static void Need(ReadOnlySpan<byte> packet, int at, int count)
    {
        if (at < 0 || at + count > packet.Length)
        {
            throw new FormatException("DNS packet ends in the middle of a record.");
        }
    }
}

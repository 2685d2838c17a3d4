using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Tend.Testing.Dns;

/// <summary>Reads DNS queries and builds answers byte by byte, the way a name server lays them out.</summary>
public static class DnsPackets
{
    public const ushort TypeA = 1;
    public const ushort TypeAaaa = 28;
    public const ushort TypeSrv = 33;

    /// <summary>The name asked in <paramref name="query"/>, without the trailing dot.</summary>
    public static string QuestionName(byte[] query)
    {
        var labels = new List<string>();
        int at = 12;
        while (query[at] != 0)
        {
            labels.Add(Encoding.ASCII.GetString(query, at + 1, query[at]));
            at += 1 + query[at];
        }

        return string.Join('.', labels);
    }

    /// <summary>The record type asked in <paramref name="query"/>.</summary>
    public static ushort QuestionType(byte[] query) => BinaryPrimitives.ReadUInt16BigEndian(query.AsSpan(QuestionEnd(query) - 4));

    /// <summary>
    /// An answer to <paramref name="query"/> (its id and question copied) with one SRV record per entry.
    /// The owner names point at the question (0xC00C); the second and later targets that share the first
    /// target's domain are written as a label plus a pointer into the first target.
    /// </summary>
    public static byte[] SrvAnswer(byte[] query, int rcode, params (ushort Priority, ushort Weight, ushort Port, string Target)[] records)
    {
        var p = Header(query, rcode, records.Length);
        int firstTargetDomain = -1;
        string? firstDomain = null;
        foreach (var r in records)
        {
            Owner(p, TypeSrv);
            var data = new List<byte>();
            data.AddRange(U16(r.Priority));
            data.AddRange(U16(r.Weight));
            data.AddRange(U16(r.Port));
            var labels = r.Target.Split('.');
            var domain = string.Join('.', labels.Skip(1));
            int dataStart = p.Count + 2;
            if (firstDomain is not null && domain == firstDomain)
            {
                data.AddRange(Label(labels[0]));
                data.AddRange([(byte)(0xC0 | (firstTargetDomain >> 8)), (byte)(firstTargetDomain & 0xFF)]);
            }
            else
            {
                if (firstDomain is null)
                {
                    firstDomain = domain;
                    firstTargetDomain = dataStart + 6 + 1 + labels[0].Length;
                }

                foreach (var l in labels)
                {
                    data.AddRange(Label(l));
                }

                data.Add(0);
            }

            p.AddRange(U16((ushort)data.Count));
            p.AddRange(data);
        }

        return [.. p];
    }

    /// <summary>An answer to an A or AAAA query with those of <paramref name="addresses"/> that match its type; NXDOMAIN when none is given.</summary>
    public static byte[] AddressAnswer(byte[] query, params IPAddress[] addresses)
    {
        var family = QuestionType(query) == TypeAaaa ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        var matching = addresses.Where(a => a.AddressFamily == family).ToArray();
        var p = Header(query, addresses.Length == 0 ? 3 : 0, matching.Length);
        foreach (var a in matching)
        {
            Owner(p, QuestionType(query));
            var bytes = a.GetAddressBytes();
            p.AddRange(U16((ushort)bytes.Length));
            p.AddRange(bytes);
        }

        return [.. p];
    }

    /// <summary>Sets the TC bit: "the rest did not fit, ask over TCP".</summary>
    public static byte[] Truncated(byte[] answer)
    {
        answer[2] |= 0x02;
        return answer;
    }

    private static List<byte> Header(byte[] query, int rcode, int answers)
    {
        var p = new List<byte>();
        p.AddRange(query.AsSpan(0, 2).ToArray());
        p.AddRange([0x81, (byte)(0x80 | rcode)]);     // QR, RD, RA + rcode
        p.AddRange([0x00, 0x01]);                      // one question
        p.AddRange(U16((ushort)answers));
        p.AddRange([0x00, 0x00, 0x00, 0x00]);          // no authority, no additional

        // The question as asked, without what follows it (an EDNS record of the query).
        p.AddRange(query.AsSpan(12, QuestionEnd(query) - 12).ToArray());
        return p;
    }

    private static void Owner(List<byte> p, ushort type)
    {
        p.AddRange([0xC0, 0x0C]);                      // owner: pointer to the question name
        p.AddRange(U16(type));
        p.AddRange([0x00, 0x01]);                      // IN
        p.AddRange([0x00, 0x00, 0x00, 0x3C]);          // TTL 60
    }

    private static int QuestionEnd(byte[] query)
    {
        int at = 12;
        while (query[at] != 0)
        {
            at += 1 + query[at];
        }

        return at + 1 + 4;
    }

    private static byte[] U16(ushort v) => [(byte)(v >> 8), (byte)v];

    private static byte[] Label(string l) => [(byte)l.Length, .. Encoding.ASCII.GetBytes(l)];
}

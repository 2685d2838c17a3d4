using System.Text;

namespace Tend.Stores.Tests.Dns;

/// <summary>Builds DNS answers byte by byte, the way a name server lays them out, for the codec tests.</summary>
internal static class DnsPackets
{
    /// <summary>
    /// An answer to <paramref name="query"/> (its id and question copied) with one SRV record per entry.
    /// The owner names point at the question (0xC00C); the second and later targets that share the first
    /// target's domain are written as a label plus a pointer into the first target.
    /// </summary>
    public static byte[] SrvAnswer(byte[] query, int rcode, params (ushort Priority, ushort Weight, ushort Port, string Target)[] records)
    {
        var p = new List<byte>();
        p.AddRange(query.AsSpan(0, 2).ToArray());
        p.AddRange([0x81, (byte)(0x80 | rcode)]);     // QR, RD, RA + rcode
        p.AddRange([0x00, 0x01]);                      // one question
        p.AddRange([0x00, (byte)records.Length]);      // answers
        p.AddRange([0x00, 0x00, 0x00, 0x00]);          // no authority, no additional
        p.AddRange(query.AsSpan(12).ToArray());        // the question as asked
        int firstTargetDomain = -1;
        string? firstDomain = null;
        foreach (var r in records)
        {
            p.AddRange([0xC0, 0x0C]);                  // owner: pointer to the question name
            p.AddRange([0x00, 0x21, 0x00, 0x01]);      // SRV, IN
            p.AddRange([0x00, 0x00, 0x00, 0x3C]);      // TTL 60
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

    private static byte[] U16(ushort v) => [(byte)(v >> 8), (byte)v];

    private static byte[] Label(string l) => [(byte)l.Length, .. Encoding.ASCII.GetBytes(l)];
}

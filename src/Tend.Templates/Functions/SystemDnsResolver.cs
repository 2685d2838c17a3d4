using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Tend.Templates.Functions;

/// <summary>
/// The default resolver: addresses through the OS (getaddrinfo), SRV records through a small
/// UDP DNS query to the first nameserver of /etc/resolv.conf (.NET has no SRV API).
/// </summary>
internal sealed class SystemDnsResolver : ITemplateDnsResolver
{
    public static readonly SystemDnsResolver Instance = new();

    public IReadOnlyList<string> LookupIP(string host)
    {
        try
        {
            return Dns.GetHostAddresses(host).Select(a => a.IsIPv4MappedToIPv6 ? a.MapToIPv4().ToString() : a.ToString()).ToArray();
        }
        catch (SocketException)
        {
            return [];
        }
        catch (ArgumentException)
        {
            return [];
        }
    }

    public IReadOnlyList<SrvRecord> LookupSrv(string service, string proto, string name)
    {
        string qname = service.Length == 0 && proto.Length == 0 ? name : $"_{service}._{proto}.{name}";
        try
        {
            var server = Nameserver();
            if (server is null)
            {
                return [];
            }
            using var udp = new UdpClient(server.AddressFamily);
            udp.Client.ReceiveTimeout = 3000;
            var query = BuildQuery(qname, (ushort)Random.Shared.Next(ushort.MaxValue));
            udp.Send(query, query.Length, new IPEndPoint(server, 53));
            IPEndPoint? from = null;
            var reply = udp.Receive(ref from);
            return ParseSrv(reply);
        }
        catch (SocketException)
        {
            return [];
        }
        catch (IOException)
        {
            return [];
        }
        catch (IndexOutOfRangeException)
        {
            return [];
        }
        catch (ArgumentException)
        {
            return [];
        }
    }

    private static IPAddress? Nameserver()
    {
        const string conf = "/etc/resolv.conf";
        if (!File.Exists(conf))
        {
            return null;
        }
        foreach (var line in File.ReadLines(conf))
        {
            var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 2 && parts[0] == "nameserver" && IPAddress.TryParse(parts[1], out var ip))
            {
                return ip;
            }
        }
        return null;
    }

    private static byte[] BuildQuery(string qname, ushort id)
    {
        var b = new List<byte>(64);
        b.Add((byte)(id >> 8));
        b.Add((byte)id);
        b.AddRange([0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
        foreach (var label in qname.TrimEnd('.').Split('.'))
        {
            var bytes = Encoding.ASCII.GetBytes(label);
            b.Add((byte)bytes.Length);
            b.AddRange(bytes);
        }
        b.AddRange([0, 0, 33, 0, 1]);
        return b.ToArray();
    }

    private static List<SrvRecord> ParseSrv(byte[] msg)
    {
        var result = new List<SrvRecord>();
        if ((msg[3] & 0x0F) != 0)
        {
            return result;
        }
        int qd = BinaryPrimitives.ReadUInt16BigEndian(msg.AsSpan(4));
        int an = BinaryPrimitives.ReadUInt16BigEndian(msg.AsSpan(6));
        int pos = 12;
        for (int i = 0; i < qd; i++)
        {
            ReadName(msg, ref pos);
            pos += 4;
        }
        for (int i = 0; i < an; i++)
        {
            ReadName(msg, ref pos);
            int type = BinaryPrimitives.ReadUInt16BigEndian(msg.AsSpan(pos));
            int rdlen = BinaryPrimitives.ReadUInt16BigEndian(msg.AsSpan(pos + 8));
            int rdata = pos + 10;
            if (type == 33)
            {
                int p = rdata + 6;
                result.Add(new SrvRecord(
                    ReadName(msg, ref p),
                    BinaryPrimitives.ReadUInt16BigEndian(msg.AsSpan(rdata + 4)),
                    BinaryPrimitives.ReadUInt16BigEndian(msg.AsSpan(rdata)),
                    BinaryPrimitives.ReadUInt16BigEndian(msg.AsSpan(rdata + 2))));
            }
            pos = rdata + rdlen;
        }
        return result;
    }

    private static string ReadName(byte[] msg, ref int pos)
    {
        var sb = new StringBuilder();
        int p = pos;
        bool jumped = false;
        for (int guard = 0; guard < 128; guard++)
        {
            int len = msg[p];
            if (len == 0)
            {
                p++;
                break;
            }
            if ((len & 0xC0) == 0xC0)
            {
                int target = ((len & 0x3F) << 8) | msg[p + 1];
                if (!jumped)
                {
                    pos = p + 2;
                }
                jumped = true;
                p = target;
                continue;
            }
            sb.Append(Encoding.ASCII.GetString(msg, p + 1, len)).Append('.');
            p += len + 1;
        }
        if (!jumped)
        {
            pos = p;
        }
        return sb.Length == 0 ? "." : sb.ToString();
    }
}

using System.Net;
using System.Net.Sockets;
using Tend.Stores.Dns;
using Xunit;

namespace Tend.Stores.Tests.Dns;

public sealed class SrvResolverTests
{
    [Fact]
    public async Task ResolveAsync_ServerAnswers_RecordsOrderedByPriorityThenWeight()
    {
        await using var dns = new FakeDnsServer(q => DnsPackets.SrvAnswer(q, 0, (20, 0, 3, "c.example.com"), (10, 1, 2, "b.example.com"), (10, 9, 1, "a.example.com")));
        var resolver = new SrvResolver([dns.EndPoint]);
        var records = await resolver.ResolveAsync("_etcd-client._tcp.example.com");
        Assert.Equal(["a.example.com", "b.example.com", "c.example.com"], records.Select(r => r.Target));
        Assert.Equal([1, 2, 3], records.Select(r => (int)r.Port));
    }

    [Fact]
    public async Task ResolveAsync_NameDoesNotExist_ThrowsNamingIt()
    {
        await using var dns = new FakeDnsServer(q => DnsPackets.SrvAnswer(q, 3));
        var resolver = new SrvResolver([dns.EndPoint]);
        var ex = await Assert.ThrowsAsync<SrvResolutionException>(() => resolver.ResolveAsync("_etcd-client._tcp.nowhere.test"));
        Assert.Contains("_etcd-client._tcp.nowhere.test", ex.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveAsync_FirstServerSilent_AsksTheNext()
    {
        await using var silent = new FakeDnsServer(_ => null);
        await using var dns = new FakeDnsServer(q => DnsPackets.SrvAnswer(q, 0, (1, 1, 2379, "etcd.test")));
        var resolver = new SrvResolver([silent.EndPoint, dns.EndPoint], TimeSpan.FromSeconds(1));
        var record = Assert.Single(await resolver.ResolveAsync("_etcd-client._tcp.test"));
        Assert.Equal(2379, record.Port);
        Assert.Equal(1, silent.Queries);
    }

    [Fact]
    public async Task ResolveAsync_AnswerWithWrongId_IgnoredUntilTimeout()
    {
        await using var dns = new FakeDnsServer(q =>
        {
            var a = DnsPackets.SrvAnswer(q, 0, (1, 1, 2379, "etcd.test"));
            a[0] ^= 0xFF;
            return a;
        });
        var resolver = new SrvResolver([dns.EndPoint], TimeSpan.FromMilliseconds(300));
        var ex = await Assert.ThrowsAsync<SrvResolutionException>(() => resolver.ResolveAsync("_etcd-client._tcp.test"));
        Assert.Contains("no answer", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveAsync_UdpAnswerTruncated_AsksAgainOverTcp()
    {
        var many = Enumerable.Range(0, 40).Select(i => ((ushort)1, (ushort)1, (ushort)(2000 + i), $"etcd{i}.cluster.test")).ToArray();
        // The TCP listener takes a free port first and the UDP server joins it on the same number:
        // a free UDP port can be taken for TCP by one of the many loopback connections of other tests.
        var (tcp, udp) = ListenOnSamePort(q =>
        {
            var a = DnsPackets.SrvAnswer(q, 0, many[0]);
            a[2] |= 0x02; // TC: the rest did not fit
            return a;
        });
        await using var _ = udp;
        using var __ = tcp;
        var serve = Task.Run(async () =>
        {
            using var client = await tcp.AcceptTcpClientAsync();
            var stream = client.GetStream();
            var length = new byte[2];
            await stream.ReadExactlyAsync(length);
            var query = new byte[(length[0] << 8) | length[1]];
            await stream.ReadExactlyAsync(query);
            var answer = DnsPackets.SrvAnswer(query, 0, many);
            await stream.WriteAsync(new byte[] { (byte)(answer.Length >> 8), (byte)answer.Length });
            await stream.WriteAsync(answer);
        });

        // A generous timeout: the two round trips share it, and a loaded CI machine is slow to schedule the fake server.
        var records = await new SrvResolver([udp.EndPoint], TimeSpan.FromSeconds(30)).ResolveAsync("_etcd-client._tcp.cluster.test");
        await serve;
        Assert.Equal(40, records.Count);
        Assert.Contains(records, r => r.Target == "etcd39.cluster.test" && r.Port == 2039);
    }

    [Fact]
    public void FromSystem_ResolvConf_ReadsNameservers()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(file, ["# comment", "search example.com", "nameserver 127.0.0.53", "nameserver ::1"]);
            var resolver = SrvResolver.FromSystem(file);
            Assert.Equal([new IPEndPoint(IPAddress.Parse("127.0.0.53"), 53), new IPEndPoint(IPAddress.IPv6Loopback, 53)], resolver.Servers);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static (TcpListener Tcp, FakeDnsServer Udp) ListenOnSamePort(Func<byte[], byte[]?> answer)
    {
        for (int attempt = 0; ; attempt++)
        {
            var tcp = new TcpListener(IPAddress.Loopback, 0);
            tcp.Start();
            try
            {
                return (tcp, new FakeDnsServer(answer, ((IPEndPoint)tcp.LocalEndpoint).Port));
            }
            catch (SocketException) when (attempt < 20)
            {
                tcp.Stop();
            }
        }
    }
}

using System.Net;
using Tend.Core.Dns;
using Tend.Testing.Dns;
using Xunit;

namespace Tend.Core.Tests.Dns;

public sealed class DnsResolverTests
{
    // A loopback server answers at once, but a loaded test machine may take seconds to schedule it.
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(15);
    [Fact]
    public async Task ResolveSrvAsync_ServerAnswers_RecordsOrderedByPriorityThenWeight()
    {
        await using var dns = new FakeDnsServer(q => DnsPackets.SrvAnswer(q, 0, (20, 0, 3, "c.example.com"), (10, 1, 2, "b.example.com"), (10, 9, 1, "a.example.com")));
        var records = await new DnsResolver([dns.EndPoint], Generous).ResolveSrvAsync("_etcd-client._tcp.example.com");
        Assert.Equal(["a.example.com", "b.example.com", "c.example.com"], records.Select(r => r.Target));
        Assert.Equal([1, 2, 3], records.Select(r => (int)r.Port));
    }

    [Fact]
    public async Task ResolveSrvAsync_NameDoesNotExist_ThrowsNamingIt()
    {
        await using var dns = new FakeDnsServer(q => DnsPackets.SrvAnswer(q, 3));
        var ex = await Assert.ThrowsAsync<DnsResolutionException>(() => new DnsResolver([dns.EndPoint], Generous).ResolveSrvAsync("_etcd-client._tcp.nowhere.test"));
        Assert.Contains("_etcd-client._tcp.nowhere.test", ex.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveSrvAsync_NoRecords_ThrowsSayingSo()
    {
        await using var dns = new FakeDnsServer(q => DnsPackets.SrvAnswer(q, 0));
        var ex = await Assert.ThrowsAsync<DnsResolutionException>(() => new DnsResolver([dns.EndPoint], Generous).ResolveSrvAsync("_etcd._tcp.empty.test"));
        Assert.Contains("no SRV records", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveSrvAsync_FirstServerSilent_AsksTheNext()
    {
        await using var silent = new FakeDnsServer(_ => null);
        await using var dns = new FakeDnsServer(q => DnsPackets.SrvAnswer(q, 0, (1, 1, 2379, "etcd.test")));
        var record = Assert.Single(await new DnsResolver([silent.EndPoint, dns.EndPoint], TimeSpan.FromSeconds(5)).ResolveSrvAsync("_etcd-client._tcp.test"));
        Assert.Equal(2379, record.Port);
        Assert.Equal(1, silent.Queries);
    }

    [Fact]
    public async Task ResolveSrvAsync_AnswerWithWrongId_NotTaken()
    {
        await using var dns = new FakeDnsServer(q =>
        {
            var a = DnsPackets.SrvAnswer(q, 0, (1, 1, 2379, "etcd.test"));
            a[0] ^= 0xFF;
            return a;
        });
        var ex = await Assert.ThrowsAsync<DnsResolutionException>(() => new DnsResolver([dns.EndPoint], TimeSpan.FromMilliseconds(300)).ResolveSrvAsync("_etcd-client._tcp.test"));
        Assert.Contains("no answer", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveSrvAsync_UdpAnswerTruncated_AsksAgainOverTcp()
    {
        var many = Enumerable.Range(0, 40).Select(i => ((ushort)1, (ushort)1, (ushort)(2000 + i), $"etcd{i}.cluster.test")).ToArray();
        await using var dns = new FakeDnsServer(
            q => DnsPackets.Truncated(DnsPackets.SrvAnswer(q, 0, many[0])),
            q => DnsPackets.SrvAnswer(q, 0, many));

        // A generous timeout: a loaded CI machine is slow to schedule the fake server.
        var records = await new DnsResolver([dns.EndPoint], TimeSpan.FromSeconds(30)).ResolveSrvAsync("_etcd-client._tcp.cluster.test");

        Assert.Equal(40, records.Count);
        Assert.Contains(records, r => r.Target == "etcd39.cluster.test" && r.Port == 2039);
        Assert.Equal(1, dns.TcpQueries);
    }

    [Fact]
    public async Task ResolveSrvAsync_AskedTwice_SecondAnsweredFromCache()
    {
        await using var dns = new FakeDnsServer(q => DnsPackets.SrvAnswer(q, 0, (1, 1, 2379, "etcd.test")));
        var resolver = new DnsResolver([dns.EndPoint], Generous);
        await resolver.ResolveSrvAsync("_etcd-client._tcp.test");
        var again = await resolver.ResolveSrvAsync("_etcd-client._tcp.test");
        Assert.Equal(2379, Assert.Single(again).Port);
        Assert.Equal(1, dns.Queries);
    }

    [Fact]
    public async Task ResolveAddressesAsync_ServerAnswers_IPv4ThenIPv6()
    {
        await using var dns = new FakeDnsServer(q => DnsPackets.QuestionName(q) == "db.example"
            ? DnsPackets.AddressAnswer(q, IPAddress.Parse("10.0.0.9"), IPAddress.Parse("fd00::9"), IPAddress.Parse("10.0.0.2"))
            : DnsPackets.AddressAnswer(q));
        var addresses = await new DnsResolver([dns.EndPoint], Generous).ResolveAddressesAsync("db.example");
        Assert.Equal(["10.0.0.9", "10.0.0.2", "fd00::9"], addresses.Select(a => a.ToString()));
    }

    [Fact]
    public async Task ResolveAddressesAsync_Literal_ReturnedWithoutAsking()
    {
        await using var dns = new FakeDnsServer(q => DnsPackets.AddressAnswer(q));
        var addresses = await new DnsResolver([dns.EndPoint], Generous).ResolveAddressesAsync("192.0.2.7");
        Assert.Equal(IPAddress.Parse("192.0.2.7"), Assert.Single(addresses));
        Assert.Equal(0, dns.Queries);
    }

    [Fact]
    public async Task ResolveAddresses_UnknownName_ThrowsNamingIt()
    {
        await using var dns = new FakeDnsServer(q => DnsPackets.AddressAnswer(q));
        var ex = Assert.Throws<DnsResolutionException>(() => new DnsResolver([dns.EndPoint], Generous).ResolveAddresses("gone.example"));
        Assert.Contains("gone.example", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveAddresses_ShortNameWithSearchList_SearchDomainsAskedInOrder()
    {
        var asked = new List<string>();
        await using var dns = new FakeDnsServer(q =>
        {
            lock (asked)
            {
                asked.Add(DnsPackets.QuestionName(q));
            }

            return DnsPackets.QuestionName(q) == "db.svc.test" ? DnsPackets.AddressAnswer(q, IPAddress.Parse("10.1.1.1")) : DnsPackets.AddressAnswer(q);
        });
        var conf = ResolvConf.Parse(["search other.test svc.test"]) with { Servers = [dns.EndPoint], Timeout = Generous, Attempts = 1 };

        var addresses = new DnsResolver(conf).ResolveAddresses("db");

        Assert.Equal(IPAddress.Parse("10.1.1.1"), Assert.Single(addresses));
        Assert.Equal(["db.other.test", "db.svc.test"], asked.Distinct());
    }

    [Theory]
    [InlineData("db", "db.a.test db.b.test db")]
    [InlineData("db.svc", "db.svc db.svc.a.test db.svc.b.test")]
    [InlineData("db.svc.", "db.svc")]
    public void Candidates_SearchListAndNdots_GlibcOrder(string name, string expected)
    {
        var conf = ResolvConf.Parse(["search a.test b.test"]);
        Assert.Equal(expected.Split(' '), conf.Candidates(name));
    }

    [Fact]
    public void FromFiles_ResolvConf_ServersRead()
    {
        using var files = new Files("nameserver 127.0.0.53\nnameserver ::1\n", string.Empty);
        Assert.Equal([new IPEndPoint(IPAddress.Parse("127.0.0.53"), 53), new IPEndPoint(IPAddress.IPv6Loopback, 53)], DnsResolver.FromFiles(files.ResolvConf).Servers);
    }

    [Fact]
    public async Task ResolveAddresses_NameInHostsFile_TakenFromTheFileWithoutAsking()
    {
        await using var dns = new FakeDnsServer(q => DnsPackets.AddressAnswer(q, IPAddress.Parse("10.9.9.9")));
        using var files = new Files($"nameserver 127.0.0.1\n", "# static\n127.0.1.1\tbuild-host build-host.example # comment\n::1 localhost ip6-localhost\n127.0.0.1 localhost\n");
        var resolver = DnsResolver.FromFiles(files.ResolvConf, files.Hosts);
        Assert.Equal(["127.0.1.1"], resolver.ResolveAddresses("build-host.example.").Select(a => a.ToString()));
        Assert.Equal(["::1", "127.0.0.1"], resolver.ResolveAddresses("LOCALHOST").Select(a => a.ToString()));
        Assert.Equal(0, dns.Queries);
    }

    [Fact]
    public void Parse_ResolvConf_ServersSearchAndOptions()
    {
        var conf = ResolvConf.Parse(["# comment", "domain first.test", "search a.test b.test.", "nameserver 127.0.0.53", "nameserver fe80::1%eth0", "nameserver not-an-ip", "options ndots:5 timeout:3 attempts:4 rotate"]);
        Assert.Equal([new IPEndPoint(IPAddress.Parse("127.0.0.53"), 53), new IPEndPoint(IPAddress.Parse("fe80::1"), 53)], conf.Servers);
        Assert.Equal(["a.test", "b.test"], conf.Search);
        Assert.Equal(5, conf.Ndots);
        Assert.Equal(TimeSpan.FromSeconds(3), conf.Timeout);
        Assert.Equal(4, conf.Attempts);
    }

    [Fact]
    public void Parse_EmptyResolvConf_LibcDefaults()
    {
        var conf = ResolvConf.Parse([]);
        Assert.Equal([new IPEndPoint(IPAddress.Loopback, 53)], conf.Servers);
        Assert.Empty(conf.Search);
        Assert.Equal((1, TimeSpan.FromSeconds(5), 2), (conf.Ndots, conf.Timeout, conf.Attempts));
    }

    private sealed class Files : IDisposable
    {
        private readonly string _dir = Directory.CreateTempSubdirectory("tend-dns-").FullName;

        public Files(string resolvConf, string hosts)
        {
            File.WriteAllText(ResolvConf, resolvConf);
            File.WriteAllText(Hosts, hosts);
        }

        public string ResolvConf => Path.Combine(_dir, "resolv.conf");

        public string Hosts => Path.Combine(_dir, "hosts");

        public void Dispose() => Directory.Delete(_dir, recursive: true);
    }
}

using System.Net;
using Tend.Core.Dns;
using Tend.Modules.Render;
using Tend.Templates;
using Tend.Testing.Dns;
using Xunit;

namespace Tend.Modules.Tests.Render;

public sealed class DnsTemplateResolverTests
{
    [Fact]
    public async Task LookupSrv_InTemplate_GoShapedRecordsFromTheNameServer()
    {
        await using var dns = new FakeDnsServer(q => DnsPackets.QuestionName(q) == "_ldap._tcp.example.com"
            ? DnsPackets.SrvAnswer(q, 0, (10, 5, 389, "b.example.com"), (20, 1, 636, "a.example.com"), (10, 1, 389, "a.example.com"))
            : DnsPackets.SrvAnswer(q, 3));

        var text = Render(dns, "{{range lookupSRV \"ldap\" \"tcp\" \"example.com\"}}{{.Target}}:{{.Port}}/{{.Priority}}/{{.Weight}} {{end}}|{{lookupSRV \"x\" \"udp\" \"none\"}}");

        Assert.Equal("a.example.com.:389/10/1 a.example.com.:636/20/1 b.example.com.:389/10/5 |[]", text);
    }

    [Fact]
    public async Task LookupSrv_TruncatedOverUdp_CompleteAnswerOverTcp()
    {
        var many = Enumerable.Range(0, 30).Select(i => ((ushort)1, (ushort)1, (ushort)(2000 + i), $"node{i}.cluster.test")).ToArray();
        await using var dns = new FakeDnsServer(
            q => DnsPackets.Truncated(DnsPackets.SrvAnswer(q, 0, many[0])),
            q => DnsPackets.SrvAnswer(q, 0, many));

        var text = Render(dns, "{{len (lookupSRV \"\" \"\" \"_svc._tcp.cluster.test\")}}");

        Assert.Equal("30", text);
    }

    [Fact]
    public async Task LookupIP_InTemplate_SortedAddressesAndEmptyOnFailure()
    {
        await using var dns = new FakeDnsServer(q => DnsPackets.QuestionName(q) == "db.example"
            ? DnsPackets.AddressAnswer(q, IPAddress.Parse("10.0.0.9"), IPAddress.Parse("fd00::2"), IPAddress.Parse("10.0.0.2"))
            : DnsPackets.AddressAnswer(q));

        var text = Render(dns, "{{lookupIP \"db.example\"}}|{{lookupIPV4 \"db.example\"}}|{{lookupIPV6 \"db.example\"}}|{{lookupIP \"unknown.example\"}}|{{lookupIP \"192.0.2.1\"}}");

        Assert.Equal("[10.0.0.2 10.0.0.9 fd00::2]|[10.0.0.2 10.0.0.9]|[fd00::2]|[]|[192.0.2.1]", text);
    }

    private static string Render(FakeDnsServer dns, string text)
    {
        var resolver = new DnsTemplateResolver(new DnsResolver([dns.EndPoint], TimeSpan.FromSeconds(10)));
        var options = new TemplateOptions { Functions = FunctionRegistry.CreateConfd(new InMemoryKeySource([]), resolver) };
        return GoTemplate.Parse("t", text, options).RenderToString(null);
    }
}

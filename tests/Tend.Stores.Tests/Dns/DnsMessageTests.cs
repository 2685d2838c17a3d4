using Tend.Stores.Dns;
using Xunit;

namespace Tend.Stores.Tests.Dns;

public sealed class DnsMessageTests
{
    [Fact]
    public void BuildQuery_SrvName_EncodesHeaderLabelsTypeAndClass()
    {
        var q = DnsMessage.BuildQuery(0xBEEF, "_etcd-client._tcp.example.com");
        Assert.Equal([0xBE, 0xEF, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0], q[..12]);
        byte[] name = [12, .. "_etcd-client"u8, 4, .. "_tcp"u8, 7, .. "example"u8, 3, .. "com"u8, 0];
        Assert.Equal(name, q[12..(12 + name.Length)]);
        Assert.Equal([0x00, 0x21, 0x00, 0x01], q[^4..]);
    }

    [Fact]
    public void BuildQuery_EmptyLabel_Rejected()
    {
        Assert.Throws<ArgumentException>(() => DnsMessage.BuildQuery(1, "a..b"));
    }

    [Fact]
    public void ParseResponse_CompressedNames_ReadsEveryRecord()
    {
        var q = DnsMessage.BuildQuery(7, "_etcd-client._tcp.example.com");
        var answer = DnsPackets.SrvAnswer(q, 0, (10, 5, 2379, "etcd1.example.com"), (10, 1, 2380, "etcd2.example.com"), (20, 0, 2381, "other.net"));
        var r = DnsMessage.ParseResponse(answer);
        Assert.Equal(7, r.Id);
        Assert.Equal(0, r.ResponseCode);
        Assert.Equal(
            [new SrvRecord(10, 5, 2379, "etcd1.example.com"), new SrvRecord(10, 1, 2380, "etcd2.example.com"), new SrvRecord(20, 0, 2381, "other.net")],
            r.Records);
    }

    [Fact]
    public void ParseResponse_NameError_ReportsRcode()
    {
        var q = DnsMessage.BuildQuery(9, "_x._tcp.missing");
        var r = DnsMessage.ParseResponse(DnsPackets.SrvAnswer(q, 3));
        Assert.Equal(DnsMessage.RcodeNameError, r.ResponseCode);
        Assert.Empty(r.Records);
    }

    [Fact]
    public void ParseResponse_PointerLoop_ThrowsFormatException()
    {
        var q = DnsMessage.BuildQuery(1, "a.b");
        var answer = DnsPackets.SrvAnswer(q, 0, (1, 1, 1, "t.b"));

        // Make the owner name pointer of the answer point at itself.
        int owner = q.Length;
        answer[owner] = 0xC0;
        answer[owner + 1] = (byte)owner;
        Assert.Throws<FormatException>(() => DnsMessage.ParseResponse(answer));
    }

    [Fact]
    public void ParseResponse_Truncated_ThrowsFormatException()
    {
        var q = DnsMessage.BuildQuery(1, "a.b");
        var answer = DnsPackets.SrvAnswer(q, 0, (1, 1, 1, "target.b"));
        Assert.Throws<FormatException>(() => DnsMessage.ParseResponse(answer.AsSpan(0, answer.Length - 4)));
    }

    [Fact]
    public void ParseResponse_QueryPacket_Rejected()
    {
        Assert.Throws<FormatException>(() => DnsMessage.ParseResponse(DnsMessage.BuildQuery(1, "a.b")));
    }
}

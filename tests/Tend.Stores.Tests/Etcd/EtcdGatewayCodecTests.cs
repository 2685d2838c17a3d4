using System.Text;
using Grpc.Core;
using Tend.Core.Kv;
using Tend.Stores.Etcd;
using Tend.Stores.Etcd.Gateway;
using Xunit;

namespace Tend.Stores.Tests.Etcd;

public sealed class EtcdGatewayCodecTests
{
    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    [Fact]
    public void ReadRange_GatewayAnswer_KeysValuesRevisionsAndMore()
    {
        var json = $$$"""
            {"header":{"cluster_id":"1","member_id":"2","revision":"42","raft_term":"3"},
             "kvs":[{"key":"{{{B64("/a")}}}","create_revision":"5","mod_revision":"7","version":"2","value":"{{{B64("héllo")}}}"},
                    {"key":"{{{B64("/b")}}}","create_revision":"8","mod_revision":"8","version":"1","lease":"99"}],
             "more":true,"count":"10"}
            """;
        var r = EtcdGatewayCodec.ReadRange(Encoding.UTF8.GetBytes(json));
        Assert.Equal(42, r.Revision);
        Assert.True(r.More);
        Assert.Equal(10, r.Count);
        Assert.Equal(new KvPair("/a", "héllo", 7), r.Kvs[0]);
        Assert.Equal(new KvPair("/b", string.Empty, 8), r.Kvs[1]);
    }

    [Fact]
    public void ReadWatch_EventsWithDeleteAndPrevKv_Parsed()
    {
        var json = $$$"""
            {"result":{"header":{"revision":"12"},"events":[
              {"kv":{"key":"{{{B64("/k")}}}","mod_revision":"11","value":"{{{B64("new")}}}"},"prev_kv":{"key":"{{{B64("/k")}}}","value":"{{{B64("old")}}}"}},
              {"type":"DELETE","kv":{"key":"{{{B64("/k")}}}","mod_revision":"12"}}]}}
            """;
        var w = EtcdGatewayCodec.ReadWatch(Encoding.UTF8.GetBytes(json));
        Assert.Equal(12, w.Revision);
        Assert.False(w.Created);
        Assert.Equal(2, w.Events.Count);
        Assert.False(w.Events[0].IsDelete);
        Assert.Equal("new", w.Events[0].Kv.Value);
        Assert.Equal("old", w.Events[0].PreviousValue);
        Assert.True(w.Events[1].IsDelete);
        Assert.Equal(12, w.Events[1].Kv.ModRevision);
    }

    [Fact]
    public void ReadWatch_CompactedCancel_CarriesCompactRevision()
    {
        var w = EtcdGatewayCodec.ReadWatch("""{"result":{"header":{"raft_term":"2"},"canceled":true,"compact_revision":"3"}}"""u8);
        Assert.True(w.Canceled);
        Assert.Equal(3, w.CompactRevision);
    }

    [Fact]
    public void ReadWatch_StreamError_ReadsGrpcCodeAndMessage()
    {
        var w = EtcdGatewayCodec.ReadWatch("""{"error":{"grpc_code":14,"http_code":503,"message":"etcdserver: no leader","http_status":"Service Unavailable"}}"""u8);
        Assert.Equal(new EtcdError(StatusCode.Unavailable, "etcdserver: no leader"), w.Error);
    }

    [Fact]
    public void ReadError_UnaryForm_ReadsCodeAndMessage()
    {
        var e = EtcdGatewayCodec.ReadError("""{"error":"etcdserver: too many operations in txn request","message":"etcdserver: too many operations in txn request","code":3}"""u8);
        Assert.Equal(new EtcdError(StatusCode.InvalidArgument, "etcdserver: too many operations in txn request"), e);
        Assert.Null(EtcdGatewayCodec.ReadError("""{"header":{"revision":"1"}}"""u8));
    }

    [Fact]
    public void ReadTxn_DeleteResponses_SummedAndSucceeded()
    {
        var t = EtcdGatewayCodec.ReadTxn("""{"header":{"revision":"9"},"succeeded":true,"responses":[{"response_delete_range":{"header":{"revision":"9"},"deleted":"1"}},{"response_put":{"header":{}}},{"response_delete_range":{"deleted":"2"}}]}"""u8);
        Assert.Equal(new EtcdTxnResponse(9, true, 3), t);
    }

    [Fact]
    public void ReadLease_KeepAliveWrappedAndExpired_TtlZero()
    {
        Assert.Equal(new EtcdLeaseResponse(4, 77, 5), EtcdGatewayCodec.ReadLease("""{"result":{"header":{"revision":"4"},"ID":"77","TTL":"5"}}"""u8));
        Assert.Equal(0, EtcdGatewayCodec.ReadLease("""{"result":{"header":{"revision":"4"},"ID":"77"}}"""u8).Ttl);
    }

    [Fact]
    public void ReadMembers_AddAnswer_NewMemberAndList()
    {
        var (members, added) = EtcdGatewayCodec.ReadMembers("""{"member":{"ID":"18446744073709551615","peerURLs":["http://p"],"isLearner":true},"members":[{"ID":"1","name":"a","peerURLs":["http://a"],"clientURLs":["http://c"]}]}"""u8);
        Assert.Equal(ulong.MaxValue, added!.Id);
        Assert.True(added.IsLearner);
        var m = Assert.Single(members);
        Assert.Equal(("a", "http://c"), (m.Name, m.ClientUrls[0]));
    }

    [Fact]
    public void Txn_EachCompareTarget_UsesGatewayFieldNames()
    {
        var json = Encoding.UTF8.GetString(EtcdGatewayCodec.Txn(
            [
                KvCompare.ValueEquals("/k", "v"),
                new KvCompare("/k", KvCompareTarget.CreateRevision, KvCompareOperator.Less, Number: 5),
                KvCompare.ModRevisionEquals("/k", 6),
                new KvCompare("/k", KvCompareTarget.Version, KvCompareOperator.NotEqual, Number: 7),
            ],
            []));
        Assert.Contains($$$"""{"key":"{{{B64("/k")}}}","result":"EQUAL","target":"VALUE","value":"{{{B64("v")}}}"}""", json, StringComparison.Ordinal);
        Assert.Contains("\"result\":\"LESS\",\"target\":\"CREATE\",\"create_revision\":\"5\"", json, StringComparison.Ordinal);
        Assert.Contains("\"target\":\"MOD\",\"mod_revision\":\"6\"", json, StringComparison.Ordinal);
        Assert.Contains("\"result\":\"NOT_EQUAL\",\"target\":\"VERSION\",\"version\":\"7\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Children_PathPrefix_RangeExcludesSiblings()
    {
        var (start, end) = EtcdKeys.Children("/app");
        Assert.Equal("/app/", Encoding.UTF8.GetString(start));
        Assert.Equal("/app0", Encoding.UTF8.GetString(end));
        var (rs, re) = EtcdKeys.Children("/");
        Assert.Equal(("/", "0"), (Encoding.UTF8.GetString(rs), Encoding.UTF8.GetString(re)));
        Assert.Equal([.. "/a"u8, 0], EtcdKeys.After("/a"));
    }
}

using System.Globalization;
using Microsoft.Extensions.Logging;
using Tend.Core.Kv;

namespace Tend.Stores.Etcd.Gateway;

/// <summary>
/// The fallback transport: etcd's v3 JSON gateway (<c>/v3/...</c>, base64 keys and values) over HTTP/1.1,
/// for endpoints behind a proxy that does not pass HTTP/2. One HTTP stream per watch.
/// </summary>
internal sealed class EtcdGatewayTransport : IEtcdTransport
{
    private readonly EtcdEndpoints _endpoints;
    private readonly EtcdGatewayConnection _connection;
    private readonly EtcdStoreSettings _settings;
    private readonly ILogger _logger;
    private readonly HttpMessageHandler _handler;

    public EtcdGatewayTransport(KvStoreOptions options, EtcdStoreSettings settings, EtcdEndpoints endpoints, ILogger logger, HttpMessageHandler handler)
    {
        _endpoints = endpoints;
        _settings = settings;
        _logger = logger;
        _handler = handler;
        _connection = new EtcdGatewayConnection(options, endpoints, logger, handler);
    }

    public string Name => _connection.Name;

    public bool HasCredentials => _connection.HasCredentials;

    public void CorruptTokenForTest() => _connection.CorruptTokenForTest();

    public async Task<EtcdRangeResponse> RangeAsync(EtcdRangeRequest request, CancellationToken cancellationToken) =>
        EtcdCodec.ReadRange(await _connection.CallAsync("/v3/kv/range", EtcdCodec.Range(request), idempotent: true, cancellationToken).ConfigureAwait(false));

    public async Task<long> PutAsync(string key, string value, long lease, CancellationToken cancellationToken) =>
        EtcdCodec.ReadHeaderRevision(await _connection.CallAsync("/v3/kv/put", EtcdCodec.Put(key, value, lease), idempotent: false, cancellationToken).ConfigureAwait(false));

    public async Task<long> DeleteRangeAsync(byte[] key, byte[]? rangeEnd, CancellationToken cancellationToken) =>
        EtcdCodec.ReadDeleted(await _connection.CallAsync("/v3/kv/deleterange", EtcdCodec.DeleteRange(key, rangeEnd), idempotent: false, cancellationToken).ConfigureAwait(false));

    public async Task<EtcdTxnResponse> TxnAsync(IReadOnlyList<KvCompare> compares, IReadOnlyList<EtcdTxnPlanner.Op> operations, CancellationToken cancellationToken)
    {
        var body = EtcdCodec.Write(w =>
        {
            w.WriteStartArray("compare");
            foreach (var c in compares)
            {
                EtcdCodec.WriteCompare(w, c);
            }

            w.WriteEndArray();
            w.WriteStartArray("success");
            foreach (var op in operations)
            {
                w.WriteStartObject();
                if (op.IsPut)
                {
                    w.WriteStartObject("request_put");
                    EtcdCodec.WritePut(w, op.Key, op.Value!, 0);
                }
                else
                {
                    w.WriteStartObject("request_delete_range");
                    EtcdCodec.WriteDeleteRange(w, op.Start, op.End);
                }

                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
        return EtcdCodec.ReadTxn(await _connection.CallAsync("/v3/kv/txn", body, idempotent: false, cancellationToken).ConfigureAwait(false));
    }

    public async Task CompactAsync(long revision, bool physical, CancellationToken cancellationToken)
    {
        var body = EtcdCodec.Write(w =>
        {
            EtcdCodec.Int64(w, "revision", revision);
            if (physical)
            {
                w.WriteBoolean("physical", true);
            }
        });
        await _connection.CallAsync("/v3/kv/compaction", body, idempotent: true, cancellationToken).ConfigureAwait(false);
    }

    public async Task<long> LeaseGrantAsync(long ttlSeconds, CancellationToken cancellationToken)
    {
        var answer = await _connection.CallAsync("/v3/lease/grant", EtcdCodec.Write(w => EtcdCodec.Int64(w, "TTL", ttlSeconds)), idempotent: false, cancellationToken).ConfigureAwait(false);
        return EtcdCodec.ReadLease(answer).Id;
    }

    public async Task<long> LeaseKeepAliveAsync(long lease, CancellationToken cancellationToken)
    {
        var answer = await _connection.CallAsync("/v3/lease/keepalive", EtcdCodec.Write(w => EtcdCodec.Int64(w, "ID", lease)), idempotent: true, cancellationToken).ConfigureAwait(false);
        if (EtcdCodec.ReadError(answer) is { } error)
        {
            throw _connection.ToException("/v3/lease/keepalive", error);
        }

        return EtcdCodec.ReadLease(answer).Ttl;
    }

    public async Task LeaseRevokeAsync(long lease, CancellationToken cancellationToken) =>
        await _connection.CallAsync("/v3/lease/revoke", EtcdCodec.Write(w => EtcdCodec.Int64(w, "ID", lease)), idempotent: true, cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyList<EtcdMember>> MemberListAsync(CancellationToken cancellationToken)
    {
        var answer = await _connection.CallAsync("/v3/cluster/member/list", EtcdCodec.Write(static _ => { }), idempotent: true, cancellationToken).ConfigureAwait(false);
        return EtcdCodec.ReadMembers(answer).Members;
    }

    public async Task<EtcdMember> MemberAddAsync(IReadOnlyList<string> peerUrls, bool isLearner, CancellationToken cancellationToken)
    {
        var body = EtcdCodec.Write(w =>
        {
            w.WriteStartArray("peerURLs");
            foreach (var u in peerUrls)
            {
                w.WriteStringValue(u);
            }

            w.WriteEndArray();
            if (isLearner)
            {
                w.WriteBoolean("isLearner", true);
            }
        });
        var answer = await _connection.CallAsync("/v3/cluster/member/add", body, idempotent: false, cancellationToken).ConfigureAwait(false);
        return EtcdCodec.ReadMembers(answer).Added
            ?? throw new EtcdServerException($"{Name}: member add answered without the new member.");
    }

    public async Task MemberRemoveAsync(ulong id, CancellationToken cancellationToken)
    {
        var body = EtcdCodec.Write(w => w.WriteString("ID", id.ToString(CultureInfo.InvariantCulture)));
        await _connection.CallAsync("/v3/cluster/member/remove", body, idempotent: false, cancellationToken).ConfigureAwait(false);
    }

    public async Task MemberPromoteAsync(ulong id, CancellationToken cancellationToken)
    {
        var body = EtcdCodec.Write(w => w.WriteString("ID", id.ToString(CultureInfo.InvariantCulture)));
        await _connection.CallAsync("/v3/cluster/member/promote", body, idempotent: false, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IEtcdWatchStream> WatchAsync(EtcdWatchCreate create, CancellationToken cancellationToken) =>
        await EtcdGatewayWatchStream.OpenAsync(_connection, _endpoints, create, _settings, _logger, cancellationToken).ConfigureAwait(false);

    public ValueTask DisposeAsync()
    {
        _connection.Dispose();
        _handler.Dispose();
        return ValueTask.CompletedTask;
    }
}

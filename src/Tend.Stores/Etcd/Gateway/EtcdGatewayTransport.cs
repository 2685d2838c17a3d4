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

    public async Task<EtcdRangeResponse> RangeAsync(EtcdRangeRequest request, CancellationToken cancellationToken) =>
        EtcdGatewayCodec.ReadRange(await _connection.CallAsync("range", "/v3/kv/range", EtcdGatewayCodec.Range(request), idempotent: true, cancellationToken).ConfigureAwait(false));

    public async Task<long> PutAsync(string key, string value, long lease, CancellationToken cancellationToken) =>
        EtcdGatewayCodec.ReadHeaderRevision(await _connection.CallAsync("put", "/v3/kv/put", EtcdGatewayCodec.Put(key, value, lease), idempotent: false, cancellationToken).ConfigureAwait(false));

    public async Task<long> DeleteRangeAsync(byte[] key, byte[]? rangeEnd, CancellationToken cancellationToken) =>
        EtcdGatewayCodec.ReadDeleted(await _connection.CallAsync("delete", "/v3/kv/deleterange", EtcdGatewayCodec.DeleteRange(key, rangeEnd), idempotent: false, cancellationToken).ConfigureAwait(false));

    public async Task<EtcdTxnResponse> TxnAsync(IReadOnlyList<KvCompare> compares, IReadOnlyList<EtcdTxnPlanner.Op> operations, CancellationToken cancellationToken) =>
        EtcdGatewayCodec.ReadTxn(await _connection.CallAsync("txn", "/v3/kv/txn", EtcdGatewayCodec.Txn(compares, operations), idempotent: false, cancellationToken).ConfigureAwait(false));

    public async Task CompactAsync(long revision, bool physical, CancellationToken cancellationToken) =>
        await _connection.CallAsync("compact", "/v3/kv/compaction", EtcdGatewayCodec.Compaction(revision, physical), idempotent: true, cancellationToken).ConfigureAwait(false);

    public async Task<long> LeaseGrantAsync(long ttlSeconds, CancellationToken cancellationToken) =>
        EtcdGatewayCodec.ReadLease(await _connection.CallAsync("lease grant", "/v3/lease/grant", EtcdGatewayCodec.LeaseGrant(ttlSeconds), idempotent: false, cancellationToken).ConfigureAwait(false)).Id;

    public async Task<long> LeaseKeepAliveAsync(long lease, CancellationToken cancellationToken)
    {
        var answer = await _connection.CallAsync("lease keep-alive", "/v3/lease/keepalive", EtcdGatewayCodec.Lease(lease), idempotent: true, cancellationToken).ConfigureAwait(false);

        // The keep-alive answer is a stream message: an error arrives inside a 200 answer.
        if (EtcdGatewayCodec.ReadError(answer) is { } error)
        {
            throw _connection.ToException("lease keep-alive", error);
        }

        return EtcdGatewayCodec.ReadLease(answer).Ttl;
    }

    public async Task LeaseRevokeAsync(long lease, CancellationToken cancellationToken) =>
        await _connection.CallAsync("lease revoke", "/v3/lease/revoke", EtcdGatewayCodec.Lease(lease), idempotent: true, cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyList<EtcdMember>> MemberListAsync(CancellationToken cancellationToken) =>
        EtcdGatewayCodec.ReadMembers(await _connection.CallAsync("member list", "/v3/cluster/member/list", EtcdGatewayCodec.MemberList(), idempotent: true, cancellationToken).ConfigureAwait(false)).Members;

    public async Task<EtcdMember> MemberAddAsync(IReadOnlyList<string> peerUrls, bool isLearner, CancellationToken cancellationToken)
    {
        var answer = await _connection.CallAsync("member add", "/v3/cluster/member/add", EtcdGatewayCodec.MemberAdd(peerUrls, isLearner), idempotent: false, cancellationToken).ConfigureAwait(false);
        return EtcdGatewayCodec.ReadMembers(answer).Added
            ?? throw new EtcdServerException($"{Name}: member add answered without the new member.");
    }

    public async Task MemberRemoveAsync(ulong id, CancellationToken cancellationToken) =>
        await _connection.CallAsync("member remove", "/v3/cluster/member/remove", EtcdGatewayCodec.MemberRemove(id), idempotent: false, cancellationToken).ConfigureAwait(false);

    public async Task MemberPromoteAsync(ulong id, CancellationToken cancellationToken) =>
        await _connection.CallAsync("member promote", "/v3/cluster/member/promote", EtcdGatewayCodec.MemberPromote(id), idempotent: false, cancellationToken).ConfigureAwait(false);

    public async Task<IEtcdWatchStream> WatchAsync(EtcdWatchCreate create, CancellationToken cancellationToken) =>
        await EtcdGatewayWatchStream.OpenAsync(_connection, _endpoints, create, _settings, _logger, cancellationToken).ConfigureAwait(false);

    public ValueTask DisposeAsync()
    {
        _connection.Dispose();
        _handler.Dispose();
        return ValueTask.CompletedTask;
    }
}

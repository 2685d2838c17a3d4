using Grpc.Core;
using Microsoft.Extensions.Logging;
using Tend.Core.Kv;

namespace Tend.Stores.Etcd.Grpc;

/// <summary>
/// The default transport: etcd's native gRPC API over HTTP/2 on the client port. Unary calls for reads,
/// writes, leases and members; one shared <c>Watch</c> stream for every watch of the store; one shared
/// <c>LeaseKeepAlive</c> stream for every registration.
/// </summary>
internal sealed class EtcdGrpcTransport : IEtcdTransport
{
    private readonly EtcdGrpcConnection _connection;
    private readonly EtcdGrpcWatchHub _watches;
    private readonly EtcdGrpcLeaseKeeper _leases;
    private readonly HttpMessageHandler _handler;

    public EtcdGrpcTransport(KvStoreOptions options, EtcdStoreSettings settings, EtcdEndpoints endpoints, ILogger logger, HttpMessageHandler handler)
    {
        _handler = handler;
        _connection = new EtcdGrpcConnection(options, endpoints, logger, handler);
        _watches = new EtcdGrpcWatchHub(_connection, settings);
        _leases = new EtcdGrpcLeaseKeeper(_connection);
    }

    public string Name => _connection.Name;

    public bool HasCredentials => _connection.HasCredentials;

    /// <summary>The shared watch stream, for tests and diagnostics.</summary>
    public EtcdGrpcWatchHub Watches => _watches;

    public async Task<EtcdRangeResponse> RangeAsync(EtcdRangeRequest request, CancellationToken cancellationToken)
    {
        var message = EtcdGrpcCodec.Range(request);
        return await _connection.CallAsync("range", idempotent: true, (i, o) => i.AsyncUnaryCall(EtcdGrpcRangeCodec.Range, null, o, message), cancellationToken).ConfigureAwait(false);
    }

    public async Task<long> PutAsync(string key, string value, long lease, CancellationToken cancellationToken)
    {
        var message = new PutRequest { Key = EtcdGrpcCodec.Text(key), Value = EtcdGrpcCodec.Text(value), Lease = lease };
        var answer = await _connection.CallAsync("put", idempotent: false, (i, o) => new KV.KVClient(i).PutAsync(message, o), cancellationToken).ConfigureAwait(false);
        return answer.Header?.Revision ?? 0;
    }

    public async Task<long> DeleteRangeAsync(byte[] key, byte[]? rangeEnd, CancellationToken cancellationToken)
    {
        var message = EtcdGrpcCodec.DeleteRange(key, rangeEnd);
        var answer = await _connection.CallAsync("delete", idempotent: false, (i, o) => new KV.KVClient(i).DeleteRangeAsync(message, o), cancellationToken).ConfigureAwait(false);
        return answer.Deleted;
    }

    public async Task<EtcdTxnResponse> TxnAsync(IReadOnlyList<KvCompare> compares, IReadOnlyList<EtcdTxnPlanner.Op> operations, CancellationToken cancellationToken)
    {
        var message = EtcdGrpcCodec.Txn(compares, operations);
        var answer = await _connection.CallAsync("txn", idempotent: false, (i, o) => new KV.KVClient(i).TxnAsync(message, o), cancellationToken).ConfigureAwait(false);
        return EtcdGrpcCodec.FromTxn(answer);
    }

    public async Task CompactAsync(long revision, bool physical, CancellationToken cancellationToken)
    {
        var message = new CompactionRequest { Revision = revision, Physical = physical };
        await _connection.CallAsync("compact", idempotent: true, (i, o) => new KV.KVClient(i).CompactAsync(message, o), cancellationToken).ConfigureAwait(false);
    }

    public async Task<long> LeaseGrantAsync(long ttlSeconds, CancellationToken cancellationToken)
    {
        var message = new LeaseGrantRequest { TTL = ttlSeconds };
        var answer = await _connection.CallAsync("lease grant", idempotent: false, (i, o) => new Lease.LeaseClient(i).LeaseGrantAsync(message, o), cancellationToken).ConfigureAwait(false);
        if (!string.IsNullOrEmpty(answer.Error))
        {
            throw new EtcdServerException($"{Name}: lease grant failed: {answer.Error}", (int)StatusCode.Unknown, answer.Error);
        }

        return answer.ID;
    }

    public Task<long> LeaseKeepAliveAsync(long lease, CancellationToken cancellationToken) => _leases.KeepAliveAsync(lease, cancellationToken);

    public async Task LeaseRevokeAsync(long lease, CancellationToken cancellationToken)
    {
        var message = new LeaseRevokeRequest { ID = lease };
        await _connection.CallAsync("lease revoke", idempotent: true, (i, o) => new Lease.LeaseClient(i).LeaseRevokeAsync(message, o), cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<EtcdMember>> MemberListAsync(CancellationToken cancellationToken)
    {
        var answer = await _connection.CallAsync("member list", idempotent: true, (i, o) => new Cluster.ClusterClient(i).MemberListAsync(new MemberListRequest(), o), cancellationToken).ConfigureAwait(false);
        return [.. answer.Members.Select(EtcdGrpcCodec.FromMember)];
    }

    public async Task<EtcdMember> MemberAddAsync(IReadOnlyList<string> peerUrls, bool isLearner, CancellationToken cancellationToken)
    {
        var message = new MemberAddRequest { IsLearner = isLearner };
        message.PeerURLs.Add(peerUrls);
        var answer = await _connection.CallAsync("member add", idempotent: false, (i, o) => new Cluster.ClusterClient(i).MemberAddAsync(message, o), cancellationToken).ConfigureAwait(false);
        return answer.Member is { } added
            ? EtcdGrpcCodec.FromMember(added)
            : throw new EtcdServerException($"{Name}: member add answered without the new member.");
    }

    public async Task MemberRemoveAsync(ulong id, CancellationToken cancellationToken)
    {
        var message = new MemberRemoveRequest { ID = id };
        await _connection.CallAsync("member remove", idempotent: false, (i, o) => new Cluster.ClusterClient(i).MemberRemoveAsync(message, o), cancellationToken).ConfigureAwait(false);
    }

    public async Task MemberPromoteAsync(ulong id, CancellationToken cancellationToken)
    {
        var message = new MemberPromoteRequest { ID = id };
        await _connection.CallAsync("member promote", idempotent: false, (i, o) => new Cluster.ClusterClient(i).MemberPromoteAsync(message, o), cancellationToken).ConfigureAwait(false);
    }

    public Task<IEtcdWatchStream> WatchAsync(EtcdWatchCreate create, CancellationToken cancellationToken) => _watches.CreateAsync(create, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _watches.DisposeAsync().ConfigureAwait(false);
        await _leases.DisposeAsync().ConfigureAwait(false);
        _connection.Dispose();
        _handler.Dispose();
    }
}

using Tend.Core.Kv;

namespace Tend.Stores.Etcd;

/// <summary>
/// How the store reaches etcd: native gRPC (<see cref="Grpc.EtcdGrpcTransport"/>) or the JSON gateway
/// (<see cref="Gateway.EtcdGatewayTransport"/>). Every unary call goes through the store's one
/// <see cref="EtcdCallPolicy"/> (failover, re-authentication, retries of idempotent calls only).
/// </summary>
internal interface IEtcdTransport : IAsyncDisposable
{
    string Name { get; }

    bool HasCredentials { get; }

    Task<EtcdRangeResponse> RangeAsync(EtcdRangeRequest request, CancellationToken cancellationToken);

    /// <summary>Puts a key; returns the revision of the put.</summary>
    Task<long> PutAsync(string key, string value, long lease, CancellationToken cancellationToken);

    /// <summary>Deletes a key or [key, rangeEnd); returns how many keys went.</summary>
    Task<long> DeleteRangeAsync(byte[] key, byte[]? rangeEnd, CancellationToken cancellationToken);

    Task<EtcdTxnResponse> TxnAsync(IReadOnlyList<KvCompare> compares, IReadOnlyList<EtcdTxnPlanner.Op> operations, CancellationToken cancellationToken);

    Task CompactAsync(long revision, bool physical, CancellationToken cancellationToken);

    /// <summary>Grants a lease; returns its id.</summary>
    Task<long> LeaseGrantAsync(long ttlSeconds, CancellationToken cancellationToken);

    /// <summary>Renews a lease once; returns its remaining TTL in seconds, 0 or less when it no longer exists.</summary>
    Task<long> LeaseKeepAliveAsync(long lease, CancellationToken cancellationToken);

    Task LeaseRevokeAsync(long lease, CancellationToken cancellationToken);

    Task<IReadOnlyList<EtcdMember>> MemberListAsync(CancellationToken cancellationToken);

    Task<EtcdMember> MemberAddAsync(IReadOnlyList<string> peerUrls, bool isLearner, CancellationToken cancellationToken);

    Task MemberRemoveAsync(ulong id, CancellationToken cancellationToken);

    /// <summary>Makes learner <paramref name="id"/> a voting member (etcd 3.4+); etcd refuses while the learner lags the leader.</summary>
    Task MemberPromoteAsync(ulong id, CancellationToken cancellationToken);

    /// <summary>Starts a watch on the current endpoint; the caller reads it and disposes it (which cancels it).</summary>
    Task<IEtcdWatchStream> WatchAsync(EtcdWatchCreate create, CancellationToken cancellationToken);
}

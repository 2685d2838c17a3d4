using Grpc.Core;
using Tend.Core.Kv;

namespace Tend.Stores.Etcd;

/// <summary>
/// A range request: [Key, End) (End null: the key alone), at most Limit keys (0: all), at Revision (0: the latest);
/// with MinModRevision only keys written at or after it are returned (the count still covers the whole range).
/// </summary>
internal readonly record struct EtcdRangeRequest(byte[] Key, byte[]? End, long Limit, long Revision, bool Serializable, bool CountOnly = false, bool KeysOnly = false, long MinModRevision = 0);

/// <summary>A watch on [Key, End) from StartRevision (0: from now), always with previous values and progress notifications.</summary>
internal readonly record struct EtcdWatchCreate(byte[] Key, byte[] End, long StartRevision);

/// <summary>The answer to a range request: the keys with their values and mod revisions (all the store reads).</summary>
internal sealed record EtcdRangeResponse(long Revision, List<KvPair> Kvs, bool More, long Count);

/// <summary>The answer to a txn: whether the compares held, the revision, and how many keys the delete ranges removed.</summary>
internal sealed record EtcdTxnResponse(long Revision, bool Succeeded, long Deleted);

/// <summary>The answer to a lease grant or keep-alive; a TTL of 0 or less means the lease is gone.</summary>
internal readonly record struct EtcdLeaseResponse(long Revision, long Id, long Ttl);

/// <summary>The server's error: gRPC status code and message (<see cref="StatusCode.Unknown"/> when an HTTP answer carried none).</summary>
internal readonly record struct EtcdError(StatusCode Code, string Message);

/// <summary>One event of a watch response.</summary>
internal readonly record struct EtcdEvent(bool IsDelete, EtcdKeyValue Kv, string? PreviousValue);

/// <summary>One message of the watch stream.</summary>
internal sealed class EtcdWatchResponse
{
    public long Revision { get; set; }

    public long WatchId { get; set; }

    public bool Fragment { get; set; }

    public bool Created { get; set; }

    public bool Canceled { get; set; }

    public long CompactRevision { get; set; }

    public string? CancelReason { get; set; }

    public EtcdError? Error { get; set; }

    public List<EtcdEvent> Events { get; } = [];
}

using Tend.Core.Retry;

namespace Tend.Stores.Etcd;

/// <summary>etcd-specific knobs beyond <see cref="Tend.Core.Kv.KvStoreOptions"/>; the defaults suit production.</summary>
public sealed record EtcdStoreSettings
{
    /// <summary>The defaults.</summary>
    public static EtcdStoreSettings Default { get; } = new();

    /// <summary>
    /// How to talk to etcd: native gRPC (the default; one multiplexed watch stream) or the JSON gateway over
    /// HTTP/1.1 (for endpoints behind a proxy that passes no HTTP/2). <see cref="Tend.Core.Kv.KvStoreOptions.Transport"/>
    /// (<c>[store] transport</c>), when set, overrides this.
    /// </summary>
    public EtcdTransport Transport { get; init; } = EtcdTransport.Grpc;

    /// <summary>
    /// Serve reads from the local member without a quorum round (<c>serializable</c>): faster, but
    /// possibly stale on a partitioned member. Off by default (linearizable reads).
    /// </summary>
    public bool SerializableReads { get; init; }

    /// <summary>Keys per page when listing a prefix; every page is read at the first page's revision.</summary>
    public int PageSize { get; init; } = 10_000;

    /// <summary>
    /// How long a watch stream may stay silent before its endpoint is probed; a failed probe counts the
    /// stream as stalled and it is re-established (elsewhere when there are several endpoints).
    /// </summary>
    public TimeSpan WatchIdleTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a watch stream may stay silent at all before it is re-established even though its endpoint
    /// answers probes: a half-open connection delivers nothing while fresh connections work. The watch asks
    /// for progress notifications, so set this to about three times the server's
    /// <c>--experimental-watch-progress-notify-interval</c> (10 minutes by default).
    /// </summary>
    public TimeSpan WatchStallTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>How long to wait for a TCP (and TLS) connection before trying the next endpoint.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Delays between reconnect attempts of watches and registrations (with jitter).</summary>
    public IRetryPolicy ReconnectBackoff { get; init; } = new ExponentialBackoff(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(3));
}

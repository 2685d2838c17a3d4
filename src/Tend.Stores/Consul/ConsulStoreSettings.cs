using Tend.Core.Retry;

namespace Tend.Stores.Consul;

/// <summary>Consul-specific knobs beyond <see cref="Tend.Core.Kv.KvStoreOptions"/>; the defaults suit production.</summary>
public sealed record ConsulStoreSettings
{
    /// <summary>The defaults.</summary>
    public static ConsulStoreSettings Default { get; } = new();

    /// <summary>
    /// How long one blocking query may wait for a change (<c>wait=</c>; Consul caps it at 10 minutes and adds up
    /// to a sixteenth as jitter). An unchanged answer after this long is a progress notification.
    /// </summary>
    public TimeSpan BlockingWait { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// When set, every watch at or below this prefix shares one blocking query on it instead of one per watched
    /// prefix (see docs/consul-store.md for the measurements behind the default, null).
    /// </summary>
    public string? WatchRoot { get; init; }

    /// <summary>
    /// How long a prefix's blocking query keeps running after its last watcher left (a mirror reconnecting
    /// comes back within this and resumes without a resync).
    /// </summary>
    public TimeSpan WatchLinger { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How many changes each watched prefix keeps for watchers that resume from an older index.</summary>
    public int HistoryLimit { get; init; } = 10_000;

    /// <summary>How long to wait for a TCP (and TLS) connection before trying the next endpoint.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Delays between attempts after a failed blocking query or session renewal (jittered, never a busy loop).</summary>
    public IRetryPolicy ReconnectBackoff { get; init; } = new ExponentialBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10));

    /// <summary>
    /// A blocking query that answers early with an unchanged index is a spurious wake-up (an idempotent write, an
    /// agent quirk); after this many in a row the next query waits a backoff first, so such answers never spin.
    /// </summary>
    public int SpuriousWakeupsBeforeBackoff { get; init; } = 3;
}

using Microsoft.Extensions.Logging;

namespace Tend.Stores.Etcd;

/// <summary>The etcd store's log messages (event ids 2100–2199).</summary>
internal static partial class EtcdLog
{
    [LoggerMessage(EventId = 2100, Level = LogLevel.Warning, Message = "etcd endpoint {Endpoint} failed: {Reason}; trying the next one")]
    public static partial void EndpointFailed(ILogger logger, Uri endpoint, string reason);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "etcd auth token of user '{User}' renewed on {Endpoint}: the server no longer accepted the previous one during {What} ({Reason}); simple tokens expire after the server's --auth-token-ttl and when a member restarts")]
    public static partial void TokenRenewed(ILogger logger, string user, Uri endpoint, string what, string reason);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "etcd watch on {Prefix} broke at revision {Revision} ({Reason}); reconnecting in {DelayMs} ms")]
    public static partial void WatchBroken(ILogger logger, string prefix, long revision, string reason, double delayMs);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Warning, Message = "etcd watch on {Prefix} cannot resume at revision {Revision}: compacted at {CompactRevision}; resyncing")]
    public static partial void WatchCompacted(ILogger logger, string prefix, long revision, long compactRevision);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Warning, Message = "etcd watch on {Prefix} was silent for {IdleMs} ms on {Endpoint} (no answer to a probe, or past the stall timeout); reconnecting")]
    public static partial void WatchStalled(ILogger logger, string prefix, double idleMs, Uri endpoint);

    [LoggerMessage(EventId = 2105, Level = LogLevel.Warning, Message = "etcd registration {Key} lost its entry ({Reason}); re-creating it")]
    public static partial void RegistrationLost(ILogger logger, string key, string reason);

    [LoggerMessage(EventId = 2106, Level = LogLevel.Information, Message = "etcd registration {Key} is registered on lease {Lease}")]
    public static partial void Registered(ILogger logger, string key, long lease);

    [LoggerMessage(EventId = 2107, Level = LogLevel.Warning, Message = "etcd registration {Key}: {Reason}; retrying")]
    public static partial void RegistrationRetry(ILogger logger, string key, string reason);

    [LoggerMessage(EventId = 2108, Level = LogLevel.Warning, Message = "etcd TLS certificate verification is disabled (InsecureSkipVerify); use only for testing")]
    public static partial void InsecureTls(ILogger logger);

    [LoggerMessage(EventId = 2109, Level = LogLevel.Information, Message = "etcd endpoints discovered from DNS SRV {Record}: {Endpoints}")]
    public static partial void SrvDiscovered(ILogger logger, string record, string endpoints);
}

using Microsoft.Extensions.Logging;

namespace Tend.Stores.Consul;

/// <summary>The Consul store's log messages (event ids 2300–2399).</summary>
internal static partial class ConsulLog
{
    [LoggerMessage(EventId = 2300, Level = LogLevel.Warning, Message = "consul endpoint {Endpoint} failed: {Reason}; trying the next one")]
    public static partial void EndpointFailed(ILogger logger, Uri endpoint, string reason);

    [LoggerMessage(EventId = 2301, Level = LogLevel.Warning, Message = "consul blocking query on '{Prefix}' failed at index {Index} ({Reason}); retrying in {DelayMs:F0} ms")]
    public static partial void WatchFailed(ILogger logger, string prefix, long index, string reason, double delayMs);

    [LoggerMessage(EventId = 2302, Level = LogLevel.Warning, Message = "consul index of '{Prefix}' went back from {Old} to {New} (agent restarted, snapshot restored or tombstones reaped); resyncing")]
    public static partial void IndexWentBack(ILogger logger, string prefix, long old, long @new);

    [LoggerMessage(EventId = 2303, Level = LogLevel.Debug, Message = "consul blocking query on '{Prefix}' woke {Count} times in a row without a change; waiting {DelayMs:F0} ms before the next")]
    public static partial void SpuriousWakeups(ILogger logger, string prefix, int count, double delayMs);

    [LoggerMessage(EventId = 2304, Level = LogLevel.Warning, Message = "consul registration {Key} lost its entry ({Reason}); re-creating it")]
    public static partial void RegistrationLost(ILogger logger, string key, string reason);

    [LoggerMessage(EventId = 2305, Level = LogLevel.Information, Message = "consul registration {Key} is held by session {Session}")]
    public static partial void Registered(ILogger logger, string key, string session);

    [LoggerMessage(EventId = 2306, Level = LogLevel.Warning, Message = "consul registration {Key}: {Reason}; retrying")]
    public static partial void RegistrationRetry(ILogger logger, string key, string reason);

    [LoggerMessage(EventId = 2307, Level = LogLevel.Warning, Message = "consul TLS certificate verification is disabled (InsecureSkipVerify); use only for testing")]
    public static partial void InsecureTls(ILogger logger);

    [LoggerMessage(EventId = 2308, Level = LogLevel.Information, Message = "consul endpoints discovered from DNS SRV {Record}: {Endpoints}")]
    public static partial void SrvDiscovered(ILogger logger, string record, string endpoints);

    [LoggerMessage(EventId = 2309, Level = LogLevel.Information, Message = "consul session TTL {Requested} is below Consul's minimum; using {Used}")]
    public static partial void TtlRaised(ILogger logger, string requested, string used);

    [LoggerMessage(EventId = 2310, Level = LogLevel.Warning, Message = "consul registration {Key}: took over the key from an earlier session {Session} of this node with the same name")]
    public static partial void TookOver(ILogger logger, string key, string session);

    [LoggerMessage(EventId = 2311, Level = LogLevel.Warning, Message = "consul at {Endpoint} denies by default (ACLs on) and no token is set: reads of keys the anonymous token may not see come back empty, not refused; set [store] token, --token or CONSUL_HTTP_TOKEN")]
    public static partial void AnonymousUnderDeny(ILogger logger, Uri endpoint);
}

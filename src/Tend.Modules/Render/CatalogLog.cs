using Microsoft.Extensions.Logging;

namespace Tend.Modules.Render;

/// <summary>The catalog watches' log events.</summary>
internal static partial class CatalogLog
{
    [LoggerMessage(EventId = 520, Level = LogLevel.Warning, Message = "Catalog query {Query} failed, the last answer stays; trying again in {DelayMs:F0} ms: {Reason}")]
    public static partial void QueryFailed(ILogger logger, string query, string reason, double delayMs);

    [LoggerMessage(EventId = 521, Level = LogLevel.Information, Message = "Catalog query {Query} answers again after {Failures} failed attempts")]
    public static partial void QueryRecovered(ILogger logger, string query, int failures);

    [LoggerMessage(EventId = 522, Level = LogLevel.Information, Message = "Catalog query {Query}: the index went back from {Old} to {New} (a restarted agent or a restored snapshot); reading it afresh")]
    public static partial void IndexWentBack(ILogger logger, string query, long old, long @new);

    [LoggerMessage(EventId = 523, Level = LogLevel.Debug, Message = "datacenters: {Datacenter} left out, it does not answer: {Reason}")]
    public static partial void DatacenterLeftOut(ILogger logger, string datacenter, string reason);

    [LoggerMessage(EventId = 524, Level = LogLevel.Debug, Message = "Catalog query {Query} started")]
    public static partial void Started(ILogger logger, string query);
}

using Microsoft.Extensions.Logging;

namespace Tend.Stores.ZooKeeper.Kv;

internal static partial class KvLog
{
    [LoggerMessage(EventId = 4300, Level = LogLevel.Information, Message = "ZooKeeper watch of {Prefix} resumed after a reconnect; {Count} missed changes recovered")]
    public static partial void Resumed(ILogger logger, string prefix, int count);

    [LoggerMessage(EventId = 4301, Level = LogLevel.Warning, Message = "ZooKeeper watch of {Prefix} resynced at zxid {Zxid}: {Reason}")]
    public static partial void Resynced(ILogger logger, string prefix, long zxid, string reason);

    [LoggerMessage(EventId = 4302, Level = LogLevel.Warning, Message = "ZooKeeper watch of {Prefix}: reading {Path} failed: {Reason}")]
    public static partial void ReadFailed(ILogger logger, string prefix, string path, string reason);

    [LoggerMessage(EventId = 4303, Level = LogLevel.Information, Message = "ZooKeeper registration {Key} re-created")]
    public static partial void Recreated(ILogger logger, string key);

    [LoggerMessage(EventId = 4304, Level = LogLevel.Warning, Message = "ZooKeeper registration {Key} could not be re-created yet: {Reason}")]
    public static partial void RecreateFailed(ILogger logger, string key, string reason);
}

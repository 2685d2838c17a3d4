using Microsoft.Extensions.Logging;

namespace Tend.Stores.ZooKeeper.Session;

internal static partial class SessionLog
{
    [LoggerMessage(EventId = 4200, Level = LogLevel.Information, Message = "ZooKeeper session 0x{SessionId:x} {State} on {EndPoint}")]
    public static partial void StateChanged(ILogger logger, long sessionId, ZooKeeperState state, string endPoint);

    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning, Message = "ZooKeeper server {EndPoint} unreachable; retrying in {DelayMs} ms: {Reason}")]
    public static partial void ConnectFailed(ILogger logger, string endPoint, int delayMs, string reason);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Warning, Message = "ZooKeeper session 0x{SessionId:x} expired; starting a new session")]
    public static partial void Expired(ILogger logger, long sessionId);

    [LoggerMessage(EventId = 4203, Level = LogLevel.Error, Message = "ZooKeeper rejected the credentials (scheme {Scheme})")]
    public static partial void AuthFailed(ILogger logger, string scheme);

    [LoggerMessage(EventId = 4204, Level = LogLevel.Error, Message = "A ZooKeeper state or watch handler failed")]
    public static partial void HandlerFailed(ILogger logger, Exception exception);
}

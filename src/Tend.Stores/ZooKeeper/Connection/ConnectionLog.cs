using Microsoft.Extensions.Logging;

namespace Tend.Stores.ZooKeeper.Connection;

internal static partial class ConnectionLog
{
    [LoggerMessage(EventId = 4100, Level = LogLevel.Debug, Message = "ZooKeeper connection to {EndPoint} established: session 0x{SessionId:x}, timeout {TimeoutMs} ms")]
    public static partial void Established(ILogger logger, string endPoint, long sessionId, int timeoutMs);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "ZooKeeper connection to {EndPoint} lost: {Reason}")]
    public static partial void Lost(ILogger logger, string endPoint, string reason);
}

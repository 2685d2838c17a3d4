namespace Tend.Stores.ZooKeeper.Protocol;

/// <summary>
/// The connection broke (I/O error, protocol error, timeout, server gone) before the reply came:
/// the request may or may not have been applied. The session may still be alive on another server.
/// </summary>
internal sealed class ZooKeeperConnectionLossException : ZooKeeperException
{
    public ZooKeeperConnectionLossException()
        : base(ZooKeeperErrorCode.ConnectionLoss, (string?)null)
    {
    }

    public ZooKeeperConnectionLossException(string message)
        : base(ZooKeeperErrorCode.ConnectionLoss, message, null)
    {
    }

    public ZooKeeperConnectionLossException(string message, Exception? innerException)
        : base(ZooKeeperErrorCode.ConnectionLoss, message, innerException)
    {
    }
}

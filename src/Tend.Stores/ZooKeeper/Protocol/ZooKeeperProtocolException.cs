namespace Tend.Stores.ZooKeeper.Protocol;

/// <summary>The peer sent bytes that are not valid ZooKeeper protocol; the connection that received them is dead.</summary>
internal sealed class ZooKeeperProtocolException : Exception
{
    public ZooKeeperProtocolException()
    {
    }

    public ZooKeeperProtocolException(string message)
        : base(message)
    {
    }

    public ZooKeeperProtocolException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

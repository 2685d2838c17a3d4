namespace Tend.Stores.ZooKeeper.Protocol;

/// <summary>A ZooKeeper request failed with the server's (or the client's) error <see cref="Code"/>.</summary>
internal class ZooKeeperException : Exception
{
    public ZooKeeperException()
    {
    }

    public ZooKeeperException(string message)
        : base(message)
    {
    }

    public ZooKeeperException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public ZooKeeperException(ZooKeeperErrorCode code, string? path)
        : base(path is null ? $"ZooKeeper error {code} ({(int)code})" : $"ZooKeeper error {code} ({(int)code}) for {path}")
    {
        Code = code;
        Path = path;
    }

    public ZooKeeperException(ZooKeeperErrorCode code, string message, Exception? innerException)
        : base(message, innerException)
    {
        Code = code;
    }

    /// <summary>The error code.</summary>
    public ZooKeeperErrorCode Code { get; }

    /// <summary>The node the request was about, when there is one.</summary>
    public string? Path { get; }
}

using Tend.Stores.ZooKeeper.Protocol;

namespace Tend.Stores.ZooKeeper.Connection;

/// <summary>A decoded reply: the server's zxid at the time, its error code, and the body when there was no error.</summary>
internal readonly record struct Reply<T>(long Zxid, ZooKeeperErrorCode Error, T? Value)
{
    public bool Ok => Error == ZooKeeperErrorCode.Ok;

    /// <summary>The body, or a <see cref="ZooKeeperException"/> with the server's code.</summary>
    public T GetValueOrThrow(string? path)
    {
        if (Error != ZooKeeperErrorCode.Ok)
        {
            throw new ZooKeeperException(Error, path);
        }

        return Value!;
    }
}

namespace Tend.Stores.ZooKeeper.Session;

/// <summary>Where a ZooKeeper session stands.</summary>
internal enum ZooKeeperState
{
    /// <summary>Looking for a server (first connection or after a loss).</summary>
    Connecting,

    /// <summary>Attached to a server; requests flow.</summary>
    Connected,

    /// <summary>The connection broke; the session may still live and is being re-attached elsewhere.</summary>
    Disconnected,

    /// <summary>The server expired the session: its ephemeral nodes and watches are gone. A new session follows.</summary>
    Expired,

    /// <summary>The server rejected the credentials; terminal.</summary>
    AuthFailed,

    /// <summary>Closed by the owner; terminal.</summary>
    Closed,
}

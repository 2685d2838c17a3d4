namespace Tend.Core.Kv;

/// <summary>Whether a store can reach its server, as far as it knows.</summary>
public enum KvStoreConnectionState
{
    /// <summary>Nothing was asked of the server yet (stores connect lazily).</summary>
    Unknown,

    /// <summary>The server answered the last time it was asked.</summary>
    Connected,

    /// <summary>The connection is lost and could not be re-established yet; reads serve the last known data.</summary>
    Unreachable,
}

using Tend.Stores.ZooKeeper.Protocol;

namespace Tend.Stores.ZooKeeper;

/// <summary>How a <see cref="ZooKeeperClient"/> reaches its ensemble.</summary>
internal sealed record ZooKeeperClientOptions
{
    /// <summary><c>host:port[,host:port...][/chroot]</c>.</summary>
    public required string ConnectString { get; init; }

    /// <summary>The session timeout asked for (the server clamps it to its own bounds).</summary>
    public TimeSpan SessionTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long one request may wait for a connection and its reply.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Digest user; with <see cref="Password"/>, sent as <c>digest user:password</c> on every connection.</summary>
    public string? Username { get; init; }

    /// <summary>Digest password.</summary>
    public string? Password { get; init; }

    /// <summary>The ACL of nodes created without an explicit one: creator-all + world-read when authenticated, else open.</summary>
    public IReadOnlyList<ZooKeeperAcl>? DefaultAcl { get; init; }
}

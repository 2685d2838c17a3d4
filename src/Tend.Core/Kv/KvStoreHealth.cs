namespace Tend.Core.Kv;

/// <summary>
/// What a store knows about reaching its server: connected, or unreachable since when and why. Stores that
/// keep no connection (files, memory) are always <see cref="Local"/>.
/// </summary>
public sealed record KvStoreHealth
{
    /// <summary>An in-process store: always connected.</summary>
    public static KvStoreHealth Local { get; } = new() { State = KvStoreConnectionState.Connected };

    /// <summary>Where the connection stands.</summary>
    public KvStoreConnectionState State { get; init; }

    /// <summary>When <see cref="State"/> began (for <see cref="KvStoreConnectionState.Unreachable"/>: when the connection was lost).</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>The last connection failure, kept after the store recovered so an outage stays visible.</summary>
    public string? LastError { get; init; }

    /// <summary>When <see cref="LastError"/> happened.</summary>
    public DateTimeOffset? LastErrorAt { get; init; }

    /// <summary>How many times the connection was re-established after it had been lost.</summary>
    public long Reconnects { get; init; }

    /// <summary>True while the store cannot reach its server.</summary>
    public bool IsUnreachable => State == KvStoreConnectionState.Unreachable;
}

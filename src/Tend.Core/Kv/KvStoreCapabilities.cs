namespace Tend.Core.Kv;

/// <summary>What a store can do; checked at config validation so a missing capability is reported at start-up.</summary>
[Flags]
public enum KvStoreCapabilities
{
    /// <summary>Read and watch only.</summary>
    None = 0,

    /// <summary>Put and delete.</summary>
    Write = 1,

    /// <summary>Atomic multi-key transactions with compares.</summary>
    Transactions = 2,

    /// <summary>Ephemeral entries that vanish with their owner (leases, ephemeral nodes, sessions).</summary>
    Ephemeral = 4,

    /// <summary>Everything.</summary>
    All = Write | Transactions | Ephemeral,
}

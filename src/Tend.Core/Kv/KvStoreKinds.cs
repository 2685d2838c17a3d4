namespace Tend.Core.Kv;

/// <summary>
/// The store kinds Tend knows, in one place: the configuration loader, the command line and the
/// store factory all validate against this list, and its help texts name it.
/// </summary>
public static class KvStoreKinds
{
    /// <summary>The local YAML/JSON file store (read-only).</summary>
    public const string File = "file";

    /// <summary>The in-process store.</summary>
    public const string Memory = "memory";

    /// <summary>etcd v3.</summary>
    public const string Etcd = "etcd";

    /// <summary>ZooKeeper.</summary>
    public const string ZooKeeper = "zookeeper";

    /// <summary>Consul's KV store (and its agent).</summary>
    public const string Consul = "consul";

    /// <summary>Every kind, in the order help texts list them.</summary>
    public static IReadOnlyList<string> All { get; } = [File, Memory, Etcd, ZooKeeper, Consul];

    /// <summary>
    /// True for kinds that cannot start without endpoints (or an SRV name). Consul is not one: without
    /// endpoints it talks to <c>CONSUL_HTTP_ADDR</c>, else the local agent at <c>127.0.0.1:8500</c>.
    /// </summary>
    public static bool NeedsEndpoints(string kind) => kind is Etcd or ZooKeeper;
}

using Microsoft.Extensions.Logging;
using Tend.Core.Kv;
using Tend.Stores.Consul;
using Tend.Stores.Etcd;
using Tend.Stores.Files;
using Tend.Stores.Memory;
using Tend.Stores.ZooKeeper;

namespace Tend.Stores;

/// <summary>Creates the store an <see cref="KvStoreOptions"/> names, with the global prefix applied.</summary>
public static class KvStoreFactory
{
    /// <summary>The store kinds this build knows, for help texts and validation messages.</summary>
    public static IReadOnlyList<string> Kinds => KvStoreKinds.All;

    /// <summary>Creates the store. Connections are made lazily, on first use.</summary>
    /// <exception cref="ArgumentException">The options name an unknown kind or lack what the kind needs; the message says what.</exception>
    public static IKvStore Create(KvStoreOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        IKvStore store = options.Kind switch
        {
            "memory" => new MemoryKvStore(),
            "file" => new FileKvStore(options, loggerFactory),
            "etcd" => new EtcdKvStore(options, loggerFactory),
            "zookeeper" => new ZooKeeperKvStore(options, loggerFactory),
            "consul" => new ConsulKvStore(options, loggerFactory),
            _ => throw new ArgumentException($"unknown store kind '{options.Kind}' (known: {string.Join(", ", Kinds)})"),
        };
        return options.Prefix == KeyPath.Root ? store : new PrefixedKvStore(store, options.Prefix);
    }
}

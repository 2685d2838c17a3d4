namespace Tend.Core.Kv;

/// <summary>
/// How to reach a store: the <c>[store]</c> section of tend.toml, or the <c>--store</c>,
/// <c>--endpoint</c>, <c>--file</c>, <c>--prefix</c> … options of every command.
/// </summary>
public sealed record KvStoreOptions
{
    /// <summary>The store kind: one of <see cref="KvStoreKinds.All"/>.</summary>
    public string Kind { get; init; } = "file";

    /// <summary>Server endpoints (URLs for etcd and Consul, <c>host:port[,host:port][/chroot]</c> for ZooKeeper).</summary>
    public IReadOnlyList<string> Endpoints { get; init; } = [];

    /// <summary>Data files of the file store (YAML or JSON).</summary>
    public IReadOnlyList<string> Files { get; init; } = [];

    /// <summary>File store: how scalars become values: as written (the default), or as confd's file backend reads them.</summary>
    public FileStoreValues FileValues { get; init; } = FileStoreValues.AsWritten;

    /// <summary>File store: the largest data file read, in bytes; a larger one is reported as invalid and the last good data stays.</summary>
    public long MaxFileSize { get; init; } = DefaultMaxFileSize;

    /// <summary>File store: the most keys all data files together may hold (aliases expanded).</summary>
    public int MaxKeys { get; init; } = DefaultMaxKeys;

    /// <summary>File store: the most keys YAML aliases (<c>*name</c>) may copy in one file, which stops "billion laughs" files.</summary>
    public int MaxAliasExpansion { get; init; } = DefaultMaxAliasExpansion;

    /// <summary>The largest <see cref="MaxFileSize"/> accepted: 1 GiB (a file's text must fit in one string).</summary>
    public const long LargestMaxFileSize = 1L << 30;

    /// <summary>The default of <see cref="MaxFileSize"/>: 64 MiB.</summary>
    public const long DefaultMaxFileSize = 64L * 1024 * 1024;

    /// <summary>The default of <see cref="MaxKeys"/>: one million.</summary>
    public const int DefaultMaxKeys = 1_000_000;

    /// <summary>The default of <see cref="MaxAliasExpansion"/>: 250,000 keys.</summary>
    public const int DefaultMaxAliasExpansion = 250_000;

    /// <summary>A prefix prepended to every key Tend uses (the store's own view starts below it).</summary>
    public string Prefix { get; init; } = KeyPath.Root;

    /// <summary>DNS SRV domain to discover endpoints from (etcd: <c>_etcd-client._tcp.DOMAIN</c>).</summary>
    public string? SrvDomain { get; init; }

    /// <summary>An explicit SRV record name to discover endpoints from.</summary>
    public string? SrvRecord { get; init; }

    /// <summary>Consul ACL token (sent as <c>X-Consul-Token</c>); when null the Consul store reads <c>CONSUL_HTTP_TOKEN</c>.</summary>
    public string? Token { get; init; }

    /// <summary>Where <see cref="Token"/> came from (<c>--token</c>, <c>[store] token in FILE</c>), for error messages that must never show the token itself.</summary>
    public string? TokenSource { get; init; }

    /// <summary>Consul datacenter to address (<c>?dc=</c>); null means the agent's own.</summary>
    public string? Datacenter { get; init; }

    /// <summary>Consul read consistency: <c>default</c> (null), <c>consistent</c> or <c>stale</c>.</summary>
    public string? Consistency { get; init; }

    /// <summary>User name for authentication (etcd user, ZooKeeper digest user, Consul HTTP basic auth behind a proxy).</summary>
    public string? Username { get; init; }

    /// <summary>Password for authentication.</summary>
    public string? Password { get; init; }

    /// <summary>CA bundle (PEM) that signs the server certificates.</summary>
    public string? CaFile { get; init; }

    /// <summary>Client certificate (PEM).</summary>
    public string? CertFile { get; init; }

    /// <summary>Client key (PEM).</summary>
    public string? KeyFile { get; init; }

    /// <summary>Accept any server certificate (testing only; logged as a warning).</summary>
    public bool InsecureSkipVerify { get; init; }

    /// <summary>etcd only: <c>grpc</c> (native gRPC, the default when null) or <c>gateway</c> (the JSON gateway over HTTP/1.1).</summary>
    public string? Transport { get; init; }

    /// <summary>
    /// The most compares plus operations one transaction may carry (<c>[store] max_txn_ops</c>); <c>null</c>
    /// means the store's default (etcd: 128, the server's default <c>--max-txn-ops</c>; ZooKeeper: 1000).
    /// Set it to the server's value when the server was started with another limit.
    /// </summary>
    public int? MaxTransactionOperations { get; init; }

    /// <summary>Timeout of one request.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>ZooKeeper session timeout / etcd lease TTL / Consul session TTL default.</summary>
    public TimeSpan SessionTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

using Microsoft.Extensions.Logging;
using Tend.Core.Config.Toml;
using Tend.Core.Kv;

namespace Tend.Core.Config;

/// <summary>Reads and validates <c>tend.toml</c>. Every error names the file, line and column; unknown keys are errors.</summary>
public static class TendConfigLoader
{
    private static readonly string[] RootKeys = ["store", "log", "http", "watch"];
    private static readonly string[] StoreKeys =
    [
        "kind", "endpoints", "files", "prefix", "srv_domain", "srv_record", "username", "password",
        "ca_file", "cert_file", "key_file", "insecure_skip_verify", "request_timeout", "session_timeout", "transport",
        "max_txn_ops",
        "max_file_size", "max_keys", "max_alias_expansion",
        "token", "datacenter", "consistency",
    ];

    private static readonly string[] EtcdTransports = ["grpc", "gateway"];
    private static readonly string[] ConsulConsistencies = ["default", "consistent", "stale"];

    /// <summary>Loads <paramref name="path"/>.</summary>
    /// <exception cref="ConfigException">The file is missing, not TOML, or invalid.</exception>
    public static TendConfig Load(string path, IReadOnlyCollection<IModuleConfigReader>? modules = null)
    {
        return Parse(path, ConfigFiles.ReadAllText(path, "the configuration"), modules);
    }

    /// <summary>Parses configuration <paramref name="text"/>; <paramref name="path"/> names it in errors and anchors relative paths.</summary>
    /// <exception cref="ConfigException">The text is not TOML or is invalid.</exception>
    /// <param name="path">Names the file in errors and anchors relative paths.</param>
    /// <param name="text">The TOML text.</param>
    /// <param name="modules">Readers of module sections (<c>[render]</c>, <c>[register]</c> …); other top-level keys are errors.</param>
    public static TendConfig Parse(string path, string text, IReadOnlyCollection<IModuleConfigReader>? modules = null)
    {
        TomlTable root;
        try
        {
            root = TomlParser.Parse(text);
        }
        catch (TomlException ex)
        {
            throw new ConfigException(path, ex.Line, ex.Column, ex.Reason, ex);
        }

        var baseDir = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        var doc = new TomlSection(path, "the top level", root);
        var config = new TendConfig
        {
            SourcePath = Path.GetFullPath(path),
            Store = ReadStore(doc.Table("store"), baseDir),
            Log = ReadLog(doc.Table("log")),
            Http = ReadHttp(doc.Table("http")),
            Watch = ReadWatch(doc.Table("watch")),
        };
        var moduleOptions = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var reader in modules ?? [])
        {
            if (doc.Table(reader.Section) is { } section)
            {
                moduleOptions[reader.Section] = reader.Read(section, baseDir);
            }
        }

        doc.RejectUnknownKeys(RootKeys.Concat(modules?.Select(m => m.Section) ?? []));
        config = config with { Modules = moduleOptions };
        return config;
    }

    private static KvStoreOptions ReadStore(TomlSection? s, string baseDir)
    {
        var o = new KvStoreOptions();
        if (s is null)
        {
            return o;
        }

        o = o with
        {
            Kind = s.Choice("kind", [.. KvStoreKinds.All]) ?? o.Kind,
            Endpoints = s.StringList("endpoints") ?? o.Endpoints,
            Files = s.StringList("files")?.Select(f => Path.GetFullPath(f, baseDir)).ToList() ?? o.Files,
            Prefix = NormalizePrefix(s, "prefix") ?? o.Prefix,
            SrvDomain = s.String("srv_domain"),
            SrvRecord = s.String("srv_record"),
            Username = s.String("username"),
            Password = s.String("password"),
            CaFile = ExistingFile(s, "ca_file", baseDir),
            CertFile = ExistingFile(s, "cert_file", baseDir),
            KeyFile = ExistingFile(s, "key_file", baseDir),
            InsecureSkipVerify = s.Bool("insecure_skip_verify") ?? false,
            RequestTimeout = Positive(s, "request_timeout") ?? o.RequestTimeout,
            SessionTimeout = Positive(s, "session_timeout") ?? o.SessionTimeout,
            Transport = s.Choice("transport", EtcdTransports),
            MaxTransactionOperations = s.Int("max_txn_ops", 5, 1_000_000),
            MaxFileSize = s.ByteSize("max_file_size", 1, KvStoreOptions.LargestMaxFileSize) ?? o.MaxFileSize,
            MaxKeys = s.Int("max_keys", 1, int.MaxValue) ?? o.MaxKeys,
            MaxAliasExpansion = s.Int("max_alias_expansion", 0, int.MaxValue) ?? o.MaxAliasExpansion,
            Token = s.String("token"),
            Datacenter = s.String("datacenter"),
            Consistency = s.Choice("consistency", ConsulConsistencies) is { } mode and not "default" ? mode : null,
        };
        if (o.Token is not null)
        {
            o = o with { TokenSource = $"[store] token in {s.File}" };
        }

        s.RejectUnknownKeys(StoreKeys);

        if (o.Kind == "file" && o.Files.Count == 0)
        {
            throw s.Error("files", "[store] kind = \"file\" needs files = [\"data.yaml\", ...]");
        }

        if (KvStoreKinds.NeedsEndpoints(o.Kind) && o.Endpoints.Count == 0 && o.SrvDomain is null && o.SrvRecord is null)
        {
            throw s.Error("endpoints", $"[store] kind = \"{o.Kind}\" needs endpoints = [...] (or srv_domain / srv_record)");
        }

        if (o.Transport is not null && o.Kind != KvStoreKinds.Etcd)
        {
            throw s.Error("transport", $"[store] transport applies to kind = \"etcd\" only, not \"{o.Kind}\"");
        }

        foreach (var consulOnly in new[] { "token", "datacenter", "consistency" })
        {
            if (s.Has(consulOnly) && o.Kind != KvStoreKinds.Consul)
            {
                throw s.Error(consulOnly, $"[store] {consulOnly} applies to kind = \"consul\" only, not \"{o.Kind}\"");
            }
        }

        if (o.MaxTransactionOperations is not null && o.Kind is not (KvStoreKinds.Etcd or KvStoreKinds.ZooKeeper or KvStoreKinds.Consul))
        {
            throw s.Error("max_txn_ops", $"[store] max_txn_ops applies to kind = \"etcd\", \"zookeeper\" or \"consul\", not \"{o.Kind}\"");
        }

        if ((o.CertFile is null) != (o.KeyFile is null))
        {
            throw s.Error(o.CertFile is null ? "key_file" : "cert_file", "[store] cert_file and key_file go together");
        }

        return o;
    }

    private static LogOptions ReadLog(TomlSection? s)
    {
        var o = new LogOptions();
        if (s is null)
        {
            return o;
        }

        var level = s.Choice("level", "trace", "debug", "info", "warn", "warning", "error", "critical", "none");
        o = o with
        {
            Level = level is null ? o.Level : ParseLevel(level),
            StackTraces = s.Bool("stacktraces") ?? o.StackTraces,
            Format = s.Choice("format", "text", "json") ?? o.Format,
            Output = s.Choice("output", "stderr", "stdout", "syslog") ?? o.Output,
        };
        s.RejectUnknownKeys(["level", "stacktraces", "format", "output"]);
        return o;
    }

    private static HttpOptions ReadHttp(TomlSection? s)
    {
        if (s is null)
        {
            return new HttpOptions();
        }

        var listen = s.String("listen");
        if (listen is not null && !ListenAddress.TryParse(listen, out _, out _))
        {
            throw s.Error("listen", $"[http] listen must be \"host:port\" or \":port\", not \"{listen}\"");
        }

        var token = s.String("token");
        if (token is { Length: < 16 })
        {
            throw s.Error("token", "[http] token must be at least 16 characters (generate one: openssl rand -hex 24)");
        }

        var allowed = s.StringList("allowed_hosts");
        foreach (var host in allowed ?? [])
        {
            if (!HttpOptions.IsHostPattern(host))
            {
                throw s.Error("allowed_hosts", $"[http] allowed_hosts: \"{host}\" is not a host name, \"*.domain\" or \"*\" (no scheme, port or path)");
            }
        }

        s.RejectUnknownKeys(["listen", "token", "allowed_hosts"]);
        return new HttpOptions { Listen = listen, Token = token, AllowedHosts = allowed };
    }

    private static WatchOptions ReadWatch(TomlSection? s)
    {
        if (s is null)
        {
            return new WatchOptions();
        }

        var prefixes = s.StringList("prefixes") ?? [];
        var normalized = new List<string>();
        foreach (var p in prefixes)
        {
            try
            {
                normalized.Add(KeyPath.Normalize(p));
            }
            catch (ArgumentException ex)
            {
                throw s.Error("prefixes", $"[watch] prefixes: {ex.Message}");
            }
        }

        s.RejectUnknownKeys(["prefixes"]);
        return new WatchOptions { Prefixes = normalized };
    }

    /// <summary>Maps a level name of the config or the command line to a <see cref="LogLevel"/>.</summary>
    public static LogLevel ParseLevel(string level) => level.ToLowerInvariant() switch
    {
        "trace" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "info" or "information" => LogLevel.Information,
        "warn" or "warning" => LogLevel.Warning,
        "error" or "err" => LogLevel.Error,
        "critical" or "fatal" => LogLevel.Critical,
        "none" => LogLevel.None,
        _ => throw new ArgumentException($"unknown log level '{level}' (trace, debug, info, warn, error)", nameof(level)),
    };

    private static string? NormalizePrefix(TomlSection s, string key)
    {
        var v = s.String(key);
        if (v is null)
        {
            return null;
        }

        try
        {
            return KeyPath.Normalize(v);
        }
        catch (ArgumentException ex)
        {
            throw s.Error(key, $"{s.Name} {key}: {ex.Message}");
        }
    }

    private static string? ExistingFile(TomlSection s, string key, string baseDir)
    {
        var v = s.String(key);
        if (v is null)
        {
            return null;
        }

        var full = Path.GetFullPath(v, baseDir);
        if (!File.Exists(full))
        {
            throw s.Error(key, $"{s.Name} {key}: no such file: {full}");
        }

        return full;
    }

    private static TimeSpan? Positive(TomlSection s, string key)
    {
        var d = s.Duration(key);
        if (d is { } v && v <= TimeSpan.Zero)
        {
            throw s.Error(key, $"{s.Name} {key} must be greater than zero");
        }

        return d;
    }
}

using System.CommandLine;
using Microsoft.Extensions.Logging;
using Tend.Core.Config;
using Tend.Core.Kv;
using Tend.Hosting;
using Tend.Stores;

namespace Tend.Cli;

/// <summary>
/// Options every command shares: the configuration file and the store selection. Flags win over
/// the config's <c>[store]</c> section; without <c>--config</c>, <c>/etc/tend/tend.toml</c> is read when it exists.
/// </summary>
internal sealed class GlobalOptions
{
    public Option<string?> Config { get; } = new("--config") { Description = $"Configuration file (default: {TendConfig.DefaultPath} when it exists)", Recursive = true };

    public Option<string?> Store { get; } = new("--store") { Description = "Store kind: " + string.Join(", ", KvStoreKinds.All), Recursive = true, HelpName = "KIND" };

    public Option<string[]> Endpoint { get; } = new("--endpoint") { Description = "Store endpoint (repeatable): http://host:2379 for etcd, host:2181[/chroot] for ZooKeeper, http://host:8500 for Consul (default: CONSUL_HTTP_ADDR, else 127.0.0.1:8500)", Recursive = true, HelpName = "URL" };

    public Option<string[]> File { get; } = new("--file") { Description = "Data file of the file store, YAML or JSON (repeatable; later files win)", Recursive = true, HelpName = "PATH" };

    public Option<string?> Prefix { get; } = new("--prefix") { Description = "Key prefix joined in front of every key", Recursive = true };

    public Option<string?> User { get; } = new("--username") { Description = "Store user name (etcd auth, ZooKeeper digest)", Recursive = true };

    public Option<string?> Password { get; } = new("--password") { Description = "Store password", Recursive = true };

    public Option<string?> CaFile { get; } = new("--ca-file") { Description = "CA bundle (PEM) for TLS to the store", Recursive = true };

    public Option<string?> CertFile { get; } = new("--cert-file") { Description = "Client certificate (PEM)", Recursive = true };

    public Option<string?> KeyFile { get; } = new("--key-file") { Description = "Client key (PEM)", Recursive = true };

    public Option<string?> Token { get; } = new("--token") { Description = "Consul ACL token (default: CONSUL_HTTP_TOKEN)", Recursive = true };

    public Option<string?> Datacenter { get; } = new("--datacenter") { Description = "Consul datacenter (default: the agent's own)", Recursive = true, HelpName = "DC" };

    public Option<string?> Consistency { get; } = new("--consistency") { Description = "Consul read consistency: default, consistent, stale", Recursive = true, HelpName = "MODE" };

    public Option<string?> LogLevel { get; } = new("--log-level") { Description = "Log level: trace, debug, info, warn, error (overrides [log] level)", Recursive = true };

    public void AddTo(RootCommand root)
    {
        foreach (var o in new Option[] { Config, Store, Endpoint, File, Prefix, User, Password, CaFile, CertFile, KeyFile, Token, Datacenter, Consistency, LogLevel })
        {
            root.Options.Add(o);
        }
    }

    /// <summary>The configuration: the named file, else the default file when it exists, else built-in defaults.</summary>
    public TendConfig LoadConfig(ParseResult parse)
    {
        var path = parse.GetValue(Config);
        if (path is not null)
        {
            return TendConfigLoader.Load(path, ModuleReaders.All);
        }

        return System.IO.File.Exists(TendConfig.DefaultPath) ? TendConfigLoader.Load(TendConfig.DefaultPath, ModuleReaders.All) : new TendConfig();
    }

    /// <summary>The configuration with the command line's overrides applied.</summary>
    public TendConfig Resolve(ParseResult parse)
    {
        var config = LoadConfig(parse);
        var store = config.Store;
        var kind = parse.GetValue(Store);
        var endpoints = parse.GetValue(Endpoint) ?? [];
        var files = parse.GetValue(File) ?? [];
        if (kind is not null)
        {
            kind = kind.ToLowerInvariant();
            if (kind != store.Kind)
            {
                // Switching kinds on the command line must not inherit the other kind's endpoints.
                store = store with { Kind = kind, Endpoints = [], Files = [] };
            }
        }
        else if (files.Length > 0 && endpoints.Length == 0)
        {
            store = store with { Kind = "file" };
        }

        if (endpoints.Length > 0)
        {
            store = store with { Endpoints = endpoints };
        }

        if (files.Length > 0)
        {
            store = store with { Files = files.Select(Path.GetFullPath).ToList() };
        }

        var prefix = parse.GetValue(Prefix);
        if (prefix is not null)
        {
            store = store with { Prefix = KeyPath.Normalize(prefix) };
        }

        store = store with
        {
            Username = parse.GetValue(User) ?? store.Username,
            Password = parse.GetValue(Password) ?? store.Password,
            CaFile = parse.GetValue(CaFile) ?? store.CaFile,
            CertFile = parse.GetValue(CertFile) ?? store.CertFile,
            KeyFile = parse.GetValue(KeyFile) ?? store.KeyFile,
            Datacenter = parse.GetValue(Datacenter) ?? store.Datacenter,
        };

        if (parse.GetValue(Token) is { } token)
        {
            store = store with { Token = token, TokenSource = "--token" };
        }

        if (parse.GetValue(Consistency) is { } consistency)
        {
            store = store with
            {
                Consistency = consistency.ToLowerInvariant() switch
                {
                    "default" => null,
                    "consistent" or "stale" => consistency.ToLowerInvariant(),
                    _ => throw new UsageException($"--consistency must be default, consistent or stale, not \"{consistency}\""),
                },
            };
        }

        // zk_watcher's [auth] in the file [register] config includes: the agent's ZooKeeper session
        // authenticates with it under tend run as under tend register, unless credentials were given.
        store = WithRegisterAuth(store, config.Module<Modules.Register.RegisterOptions>("register"));

        var log = config.Log;
        var level = parse.GetValue(LogLevel);
        if (level is not null)
        {
            try
            {
                log = log with { Level = TendConfigLoader.ParseLevel(level) };
            }
            catch (ArgumentException ex)
            {
                throw new UsageException(ex.Message);
            }
        }

        return config with { Store = store, Log = log };
    }

    /// <summary>Creates the selected store, or explains what is missing.</summary>
    /// <summary>The store with the digest credentials of zk_watcher's <c>[auth]</c>, when it has none of its own.</summary>
    public static KvStoreOptions WithRegisterAuth(KvStoreOptions store, Modules.Register.RegisterOptions? register) =>
        register?.AuthUser is { } user && store.Username is null
            ? store with { Username = user, Password = register.AuthPassword }
            : store;

    public static IKvStore OpenStore(KvStoreOptions options, ILoggerFactory loggers)
    {
        switch (StoreOpener.MissingSetting(options))
        {
            case "files":
                throw new UsageException("the file store needs --file PATH (or [store] files = [...] in the config)");
            case "endpoints":
                throw new UsageException($"the {options.Kind} store needs --endpoint (or [store] endpoints = [...] in the config)");
        }

        try
        {
            return StoreOpener.Open(options, loggers);
        }
        catch (ConfigException ex)
        {
            throw new UsageException(ex.Message);
        }
    }
}

using System.CommandLine;
using Microsoft.Extensions.Logging;
using Tend.Core.Config;
using Tend.Core.Kv;
using Tend.Core.Processes;
using Tend.Logging;
using Tend.Modules.Render;
using Tend.Modules.Render.Config;

namespace Tend.Cli;

/// <summary>
/// <c>tend render</c>: the render module driven by confd's or reconfig's command line (and, when
/// the process is named <c>confd</c>, confd's command line as it is). Resources come from
/// <c>--confdir</c>, <c>--cfgdir</c> and the configuration's <c>[render]</c> section.
/// </summary>
internal static class RenderCommand
{
    /// <summary>The hidden option the <c>confd</c> name adds: confd's defaults (interval mode, etcd, /etc/confd).</summary>
    public const string ConfdDefaultsFlag = "--confd-defaults";

    /// <summary>The hidden option the <c>reconfig</c> name adds: reconfig's defaults (/etc/reconfig, etcd at 127.0.0.1:4001).</summary>
    public const string ReconfigDefaultsFlag = "--reconfig-defaults";

    private const string DefaultConfdir = "/etc/confd";
    private const string DefaultCfgdir = "/etc/reconfig";
    private const string DefaultConfdToml = "/etc/confd/confd.toml";

    private static readonly Option<bool> ConfdDefaults = new(ConfdDefaultsFlag) { Hidden = true };
    private static readonly Option<bool> ReconfigDefaults = new(ReconfigDefaultsFlag) { Hidden = true };

    // reconfig's -p (confd has no such short flag): its prefix must start with '/'.
    private static readonly Option<string?> ReconfigPrefix = new("--reconfig-prefix") { Hidden = true };

    // confd's flags.
    private static readonly Option<string?> Confdir = new("--confdir") { Description = "confd configuration directory with conf.d/ and templates/ (confd default: /etc/confd)" };
    private static readonly Option<string?> ConfigFile = new("--config-file") { Description = "confd's confd.toml with global settings (confd default: /etc/confd/confd.toml)" };
    private static readonly Option<string?> Backend = new("--backend") { Description = "Store: etcdv3, zookeeper, consul, file (confd's etcd v2 backend, etcd, is refused)" };
    private static readonly Option<string[]> Node = new("--node") { Description = "Store node (repeatable), e.g. http://127.0.0.1:2379" };
    private static readonly Option<bool> Onetime = new("--onetime", "-o") { Description = "Render once and exit: 0 only when every resource succeeded" };
    private static readonly Option<bool> Watch = new("--watch") { Description = "Watch the store and render on change (the default of tend render)" };
    private static readonly Option<int?> Interval = new("--interval") { Description = "Poll the store every N seconds instead of watching (confd's default mode, 600)" };
    private static readonly Option<bool> Noop = new("--noop") { Description = "Print a unified diff of what would change; write nothing" };
    private static readonly Option<bool> SyncOnly = new("--sync-only") { Description = "Write files without running check_cmd or reload_cmd" };
    private static readonly Option<bool> KeepStageFile = new("--keep-stage-file") { Description = "Keep staged files that were not committed" };
    private static readonly Option<string?> SrvDomain = new("--srv-domain") { Description = "DNS domain to discover store nodes from (SRV)" };
    private static readonly Option<string?> SrvRecord = new("--srv-record") { Description = "SRV record to discover store nodes from" };
    private static readonly Option<string?> Scheme = new("--scheme") { Description = "URL scheme for nodes given without one: http or https (default http)" };
    private static readonly Option<string?> ClientCert = new("--client-cert") { Description = "Client certificate (PEM) for the store" };
    private static readonly Option<string?> ClientKey = new("--client-key") { Description = "Client key (PEM) for the store" };
    private static readonly Option<string?> ClientCaKeys = new("--client-ca-keys") { Description = "CA bundle (PEM) for the store" };
    private static readonly Option<bool> ClientInsecure = new("--client-insecure") { Description = "Accept any server certificate (testing only)" };

    // reconfig's flags.
    private static readonly Option<string?> Cfgdir = new("--cfgdir", "-c") { Description = "reconfig configuration directory with conf.d/*.json and templates/" };
    private static readonly Option<string?> Host = new("--host") { Description = "reconfig: etcd host (default 127.0.0.1)" };
    private static readonly Option<int?> Port = new("--port") { Description = "reconfig: etcd port (default 4001)" };
    private static readonly Option<bool> NotReally = new("--notreally", "-n") { Description = "reconfig: show changes, write nothing (same as --noop)" };
    private static readonly Option<string?> Srv = new("--srv") { Description = "reconfig: SRV record locating etcd (overrides --host/--port)" };
    private static readonly Option<bool> Ssl = new("--ssl", "-s") { Description = "reconfig: connect with TLS" };
    private static readonly Option<string?> SslCaFile = new("--ssl_cafile") { Description = "reconfig: CA file (must exist)" };
    private static readonly Option<string?> SslCert = new("--ssl_cert") { Description = "reconfig: client certificate (must exist)" };
    private static readonly Option<string?> SslKey = new("--ssl_key") { Description = "reconfig: client key (must exist)" };
    private static readonly Option<string?> SslPassphrase = new("--ssl_passphrase") { Description = "reconfig: passphrase of an encrypted key (refused: decrypt the key with openssl pkey)" };
    private static readonly Option<bool> Debug = new("--debug", "-d") { Description = "reconfig: debug logging" };

    private static readonly Option<string?> ConsulTemplate = new("--consul-template") { Description = "consul-template HCL configuration (file or directory) whose templates (and exec block) are added" };

    private static readonly Option<bool> Version = new("--version") { Description = "Print the version and exit (as confd and reconfig do)" };

    private static readonly Option[] All =
    [
        Version, ConsulTemplate, ConfdDefaults, ReconfigDefaults, ReconfigPrefix, Confdir, ConfigFile, Backend, Node, Onetime, Watch, Interval, Noop, SyncOnly, KeepStageFile, SrvDomain, SrvRecord,
        Scheme, ClientCert, ClientKey, ClientCaKeys, ClientInsecure, Cfgdir, Host, Port, NotReally, Srv, Ssl, SslCaFile, SslCert, SslKey, SslPassphrase, Debug,
    ];

    // Long names also accepted with one dash (Go's flag package and confd users write -onetime).
    private static readonly HashSet<string> LongNames = new(
        All.Select(o => o.Name.TrimStart('-')).Concat(["prefix", "file", "username", "password", "log-level", "config", "help"]),
        StringComparer.Ordinal);

    private static readonly Dictionary<string, string> ShortNames = new(StringComparer.Ordinal)
    {
        ["-p"] = "--reconfig-prefix",
    };

    public static Command Create(GlobalOptions global)
    {
        var render = new Command(
            "render",
            "Render templates from the store into files (confd and reconfig command lines accepted; single-dash long flags too). " +
            "Resources: --confdir (confd), --cfgdir (reconfig) and [render] in the configuration.");
        foreach (var o in All)
        {
            render.Options.Add(o);
        }

        render.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(Version))
            {
                await Console.Out.WriteLineAsync($"tend {TendVersion.Value}").ConfigureAwait(false);
                return ExitCodes.Ok;
            }

            var (config, onetime) = Resolve(global, parse, Console.Error);
            if (!onetime)
            {
                return await RunCommand.RunDaemonAsync(config, () => Resolve(global, parse).Config, ct).ConfigureAwait(false);
            }

            using var loggers = TendLogging.CreateFactory(config.Log);
            await using var store = GlobalOptions.OpenStore(config.Store, loggers);
            await using var module = RenderModule.Create(RenderConfigReader.OptionsOf(config), store, null, ShellCommandRunner.Instance, loggers, Console.Out);
            module.KeepChangeDiffs = false; // nothing reads them before the process exits
            return await module.RunOnceAsync(ct).ConfigureAwait(false) ? ExitCodes.Ok : ExitCodes.Failure;
        });
        return render;
    }

    /// <summary>
    /// Rewrites confd/reconfig style arguments after <c>render</c> to the forms System.CommandLine
    /// parses: <c>-onetime</c> → <c>--onetime</c>, <c>-node=x</c> → <c>--node=x</c>, <c>-p</c> → <c>--prefix</c>.
    /// </summary>
    public static string[] NormalizeArgs(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        // Only when render is the command: the first command name on the line.
        int at = Array.FindIndex(args, a => a is "render" or "run" or "kv" or "version" or "debug");
        if (at < 0 || args[at] != "render")
        {
            return args;
        }

        var result = args.ToArray();
        for (int i = at + 1; i < result.Length; i++)
        {
            var a = result[i];
            if (ShortNames.TryGetValue(a, out var longName))
            {
                result[i] = longName;
            }
            else if (a.Length > 2 && a[0] == '-' && a[1] != '-')
            {
                var name = a[1..].Split('=', 2)[0];
                if (LongNames.Contains(name))
                {
                    result[i] = "-" + a;
                }
            }
        }

        return result;
    }

    /// <summary>The configuration the command line describes, and whether to run once.</summary>
    /// <param name="global">The global options.</param>
    /// <param name="parse">The parsed command line.</param>
    /// <param name="warnings">Where to tell the operator about a default that differs from confd's (the first resolution only).</param>
    public static (TendConfig Config, bool Onetime) Resolve(GlobalOptions global, ParseResult parse, TextWriter? warnings = null)
    {
        bool confd = parse.GetValue(ConfdDefaults);
        var config = global.Resolve(parse);
        var store = config.Store;
        var render = RenderConfigReader.OptionsOf(config);

        // confd.toml first, then flags over it.
        var confdToml = parse.GetValue(ConfigFile) ?? (confd && File.Exists(DefaultConfdToml) ? DefaultConfdToml : null);
        var settings = confdToml is null ? new ConfdSettings() : ConfdConfdirLoader.LoadSettings(confdToml);

        if (settings.AuthToken is not null || settings.BasicAuth is true)
        {
            // Silently dropping credentials would surface later as a confusing authentication failure.
            throw new UsageException($"{confdToml}: auth_token and basic_auth are not supported; use username and password");
        }

        // confd's own default is its etcd v2 backend; Tend's is etcd v3, and it says so.
        var backend = parse.GetValue(Backend) ?? settings.Backend;
        if (backend is null && confd)
        {
            backend = "etcdv3";
            warnings?.WriteLine("tend: warning: no -backend given: confd's default is etcd v2, Tend reads etcd v3 (-backend etcdv3) at the -node addresses; pass -backend etcdv3 to silence this");
        }

        var nodes = NonEmpty(parse.GetValue(Node)) ?? settings.Nodes;
        var files = NonEmpty(parse.GetValue(global.File)) ?? settings.Files;
        if (backend is not null)
        {
            var kind = MapBackend(backend);
            if (kind != store.Kind)
            {
                store = store with { Kind = kind, Endpoints = [], Files = [] };
            }
        }

        var scheme = (parse.GetValue(Scheme) ?? settings.Scheme ?? "http").ToLowerInvariant();
        if (nodes is not null)
        {
            store = store with { Endpoints = nodes.Select(n => store.Kind is "etcd" or "consul" && !n.Contains("://", StringComparison.Ordinal) ? $"{scheme}://{n}" : n).ToList() };
        }
        else if (confd && store.Kind == "etcd" && store.Endpoints.Count == 0)
        {
            store = store with { Endpoints = [$"{scheme}://127.0.0.1:2379"] };
        }

        if (files is not null)
        {
            store = store with { Files = files.Select(Path.GetFullPath).ToList() };
        }

        if (parse.GetValue(global.Prefix) is null && settings.Prefix is { } prefix)
        {
            store = store with { Prefix = KeyPath.Normalize(prefix) };
        }

        store = store with
        {
            SrvDomain = parse.GetValue(SrvDomain) ?? settings.SrvDomain ?? store.SrvDomain,
            SrvRecord = parse.GetValue(SrvRecord) ?? settings.SrvRecord ?? store.SrvRecord,
            CertFile = parse.GetValue(ClientCert) ?? settings.ClientCert ?? store.CertFile,
            KeyFile = parse.GetValue(ClientKey) ?? settings.ClientKey ?? store.KeyFile,
            CaFile = parse.GetValue(ClientCaKeys) ?? settings.ClientCaKeys ?? store.CaFile,
            InsecureSkipVerify = parse.GetValue(ClientInsecure) || (settings.ClientInsecure ?? store.InsecureSkipVerify),
            Username = parse.GetValue(global.User) ?? settings.Username ?? store.Username,
            Password = parse.GetValue(global.Password) ?? settings.Password ?? store.Password,
        };

        // reconfig's command line (any of its own flags, or the reconfig name): its cfgdir default and its prefix rule.
        bool reconfig = parse.GetValue(ReconfigDefaults) || UsesReconfigFlags(parse);
        var cfgdir = parse.GetValue(Cfgdir)
            ?? (reconfig && parse.GetValue(Confdir) is null && settings.Confdir is null && render.Templates.Count == 0 ? DefaultCfgdir : null);
        if (parse.GetValue(ReconfigPrefix) is { } reconfigPrefix)
        {
            store = store with { Prefix = KeyPath.Normalize(CheckReconfigPrefix(reconfigPrefix)) };
        }
        else if (reconfig && parse.GetValue(global.Prefix) is { } longPrefix)
        {
            CheckReconfigPrefix(longPrefix);
        }

        store = ApplyReconfigStore(parse, store, cfgdir is not null && backend is null && nodes is null && files is null && parse.GetValue(global.Config) is null);

        // confd's file backend hands templates the values its YAML decoder resolved (yes → true,
        // 0x1F → 31, null → no key): under confd's command line (the confd name, -backend,
        // -confdir or a confd.toml) data files are read that way; otherwise the text is kept.
        if (store.Kind == "file" && (confd || backend is not null || confdToml is not null || parse.GetValue(Confdir) is not null))
        {
            store = store with { FileValues = FileStoreValues.Confd };
        }

        var log = config.Log;
        var level = parse.GetValue(global.LogLevel) is null ? settings.LogLevel : null;
        if (parse.GetValue(Debug))
        {
            level = "debug";
        }

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

        // Resources: [render] from the configuration, then the confdir, then the cfgdir.
        var confdir = parse.GetValue(Confdir) ?? settings.Confdir;
        if (confdir is null && cfgdir is null && render.Templates.Count == 0 && parse.GetValue(ConsulTemplate) is null)
        {
            confdir = DefaultConfdir;
        }

        var consulTemplate = parse.GetValue(ConsulTemplate) is { } ctPath ? ConsulTemplateConfigLoader.Load(ctPath) : null;
        if (consulTemplate is not null)
        {
            render = render with { Exec = render.Exec ?? consulTemplate.Exec, Wait = consulTemplate.Wait ?? render.Wait };
        }

        var templates = RenderResourceSet.Combine(
            render.Templates,
            consulTemplate?.Templates ?? [],
            // confd does not set missingkey=error: a missing map key prints <no value>, as it does there.
            confdir is null ? [] : ConfdConfdirLoader.LoadResources(confdir, RenderMissingKey.Default),
            cfgdir is null ? [] : ReconfigCfgdirLoader.LoadResources(cfgdir));
        if (templates.Count == 0)
        {
            throw new UsageException("nothing to render: the confdir, cfgdir and [render] section have no templates");
        }

        bool watch = parse.GetValue(Watch) || (settings.Watch ?? false);
        int? intervalSeconds = parse.GetValue(Interval);
        if (intervalSeconds is <= 0)
        {
            throw new UsageException("--interval must be a positive number of seconds");
        }

        if (intervalSeconds is { } given && !Durations.TryFromSeconds(given, out _, out var intervalError))
        {
            throw new UsageException($"--interval {intervalError}");
        }

        TimeSpan? interval = intervalSeconds is { } sec ? TimeSpan.FromSeconds(sec) : settings.Interval ?? render.Interval;

        // tend render watches by default; confd (by its name) polls every 600 s unless told to watch.
        if (watch)
        {
            interval = null;
        }
        else if (confd)
        {
            interval ??= TimeSpan.FromSeconds(600);
        }

        render = render with
        {
            Templates = templates,
            Interval = interval,
            Noop = parse.GetValue(Noop) || parse.GetValue(NotReally) || (settings.Noop ?? render.Noop),
            SyncOnly = parse.GetValue(SyncOnly) || (settings.SyncOnly ?? render.SyncOnly),
            KeepStageFile = parse.GetValue(KeepStageFile) || (settings.KeepStageFile ?? render.KeepStageFile),
        };

        bool onetime = parse.GetValue(Onetime) || (settings.Onetime ?? false);
        return (config.WithModule(RenderConfigReader.SectionName, render) with { Store = store, Log = log }, onetime);
    }

    /// <summary>
    /// Maps confd's backend names to store kinds. confd's <c>etcd</c> is its etcd v2 backend, whose
    /// keys a v3 client never sees: it is refused with the way forward rather than read as v3.
    /// </summary>
    public static string MapBackend(string backend) => backend.ToLowerInvariant() switch
    {
        "etcdv3" => "etcd",
        "etcd" => throw new UsageException(
            "backend 'etcd' is confd's etcd v2 backend; Tend speaks the etcd v3 API only: use -backend etcdv3. " +
            "Keys written through the v2 API are not visible to v3 clients: copy them into the v3 keyspace first " +
            "(etcd 3.4: stop the member and run ETCDCTL_API=3 etcdctl migrate --data-dir <dir>; or read them with " +
            "ETCDCTL_API=2 etcdctl get and write each with tend kv put)"),
        "zookeeper" => "zookeeper",
        "consul" => "consul",
        "file" => "file",
        _ => throw new UsageException($"unknown backend '{backend}' (etcdv3, zookeeper, consul, file)"),
    };

    private static KvStoreOptions ApplyReconfigStore(ParseResult parse, KvStoreOptions store, bool reconfigDefaults)
    {
        if (parse.GetValue(SslPassphrase) is not null)
        {
            throw new UsageException("--ssl_passphrase: encrypted client keys are not supported; decrypt it once (openssl pkey -in key.pem -out plain.pem) and protect the file with its mode");
        }

        var host = parse.GetValue(Host);
        var port = parse.GetValue(Port);
        var srv = parse.GetValue(Srv);
        bool ssl = parse.GetValue(Ssl);
        foreach (var (option, value) in new[] { (SslCaFile, parse.GetValue(SslCaFile)), (SslCert, parse.GetValue(SslCert)), (SslKey, parse.GetValue(SslKey)) })
        {
            if (value is not null && !File.Exists(value))
            {
                throw new UsageException($"{option.Name}: no such file: {value}");
            }
        }

        if (!reconfigDefaults && host is null && port is null && srv is null)
        {
            return store with
            {
                CaFile = parse.GetValue(SslCaFile) ?? store.CaFile,
                CertFile = parse.GetValue(SslCert) ?? store.CertFile,
                KeyFile = parse.GetValue(SslKey) ?? store.KeyFile,
            };
        }

        store = store with
        {
            Kind = "etcd",
            Endpoints = srv is null ? [$"{(ssl ? "https" : "http")}://{host ?? "127.0.0.1"}:{port ?? 4001}"] : [],
            Files = [],
            SrvRecord = srv ?? store.SrvRecord,
            CaFile = parse.GetValue(SslCaFile) ?? store.CaFile,
            CertFile = parse.GetValue(SslCert) ?? store.CertFile,
            KeyFile = parse.GetValue(SslKey) ?? store.KeyFile,
        };
        return store;
    }

    /// <summary>Whether the command line has a flag only reconfig has (<c>-o</c> and <c>-p</c> included: confd spells them out).</summary>
    private static bool UsesReconfigFlags(ParseResult parse) =>
        new Option[] { Cfgdir, Host, Port, NotReally, Srv, Ssl, SslCaFile, SslCert, SslKey, SslPassphrase, Debug, ReconfigPrefix }
            .Any(o => parse.GetResult(o) is { Implicit: false })
        || parse.GetResult(Onetime)?.IdentifierToken?.Value == "-o";

    private static string CheckReconfigPrefix(string prefix) =>
        prefix.StartsWith('/') ? prefix : throw new UsageException($"-p/--prefix must start with '/' (reconfig's rule), not \"{prefix}\"");

    private static string[]? NonEmpty(string[]? values) => values is { Length: > 0 } ? values : null;
}

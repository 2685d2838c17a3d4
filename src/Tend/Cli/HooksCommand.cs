using System.CommandLine;
using Tend.Core.Config;
using Tend.Modules.Hooks;

namespace Tend.Cli;

/// <summary>
/// <c>tend hooks</c>: etcdhooks' entry point. Runs the agent (as <c>tend run</c> does) with the
/// settings of etcdhooks' <c>daemon.cfg</c> and <c>log.cfg</c> laid over tend.toml: the etcd
/// servers, the web port, the watched root, the Nagios files and the rewrite interval. Store flags on
/// the command line still win. SIGHUP re-reads all of it.
/// </summary>
internal static class HooksCommand
{
    public const string DefaultDaemonCfg = "/opt/etcd/daemon.cfg";

    public static Command Create(GlobalOptions global)
    {
        var daemonCfg = new Option<string>("--daemon-cfg") { Description = "etcdhooks' daemon.cfg", DefaultValueFactory = _ => DefaultDaemonCfg, HelpName = "FILE" };
        var logCfg = new Option<string?>("--log-cfg") { Description = "etcdhooks' log.cfg (default: log.cfg beside daemon.cfg, when it exists)", HelpName = "FILE" };
        var command = new Command("hooks", "Run the Nagios inventory hooks with etcdhooks' daemon.cfg and log.cfg (etcdhooks)") { daemonCfg, logCfg };
        command.SetAction(async (parse, ct) =>
        {
            var config = Build(global, parse, parse.GetValue(daemonCfg)!, parse.GetValue(logCfg), warn: true);
            return await RunCommand.RunDaemonAsync(config, () => Build(global, parse, parse.GetValue(daemonCfg)!, parse.GetValue(logCfg), warn: false), ct).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>tend.toml (and the flags) with daemon.cfg and log.cfg laid over it.</summary>
    internal static TendConfig Build(GlobalOptions global, ParseResult parse, string daemonCfg, string? logCfg, bool warn)
    {
        var config = global.Resolve(parse);
        var besideLog = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(daemonCfg))!, "log.cfg");
        var settings = EtcdhooksConfigLoader.Load(daemonCfg, logCfg ?? (File.Exists(besideLog) ? besideLog : null));
        if (warn)
        {
            foreach (var unknown in settings.UnknownKeys)
            {
                Console.Error.WriteLine($"tend: warning: {unknown}: not an etcdhooks setting Tend knows; ignored");
            }
        }

        var store = config.Store;
        bool storeFlags = parse.GetValue(global.Store) is not null || (parse.GetValue(global.Endpoint)?.Length ?? 0) > 0;
        if (!storeFlags && settings.EtcdEndpoints is { } endpoints)
        {
            store = store with { Kind = "etcd", Endpoints = endpoints, Files = [] };
        }
        else if (!storeFlags && store.Kind == "file" && store.Files.Count == 0)
        {
            // etcdhooks talked to a local etcd unless told otherwise.
            store = store with { Kind = "etcd", Endpoints = ["http://127.0.0.1:2379"] };
        }

        var http = config.Http;
        if (settings.WebListenPort is { } port)
        {
            // The port is etcdhooks'; the address stays Tend's (127.0.0.1 unless [http] listen names another).
            var host = http.Listen is { } listen && ListenAddress.TryParse(listen, out var h, out _) ? h : "127.0.0.1";
            http = http with { Listen = $"{(host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host)}:{port}" };
        }

        var hooks = config.Module<HooksOptions>("hooks") ?? new HooksOptions();
        hooks = hooks with
        {
            Inventory = settings.Root is { } root ? hooks.Inventory with { Root = root } : hooks.Inventory,
            Nagios = EtcdhooksConfigLoader.ApplyTo(settings, hooks.Nagios),
        };

        var log = config.Log;
        if (parse.GetValue(global.LogLevel) is null && settings.LogLevel is { } level)
        {
            log = log with { Level = level };
        }

        log = log with { StackTraces = settings.StackTraces ?? log.StackTraces };
        var modules = new Dictionary<string, object>(config.Modules) { ["hooks"] = hooks };
        return config with { Store = store, Http = http, Log = log, Modules = modules };
    }
}

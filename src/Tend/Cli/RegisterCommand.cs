using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tend.Core.Config;
using Tend.Daemon;
using Tend.Logging;
using Tend.Modules.Register;

namespace Tend.Cli;

/// <summary>
/// <c>tend register</c>: zk_watcher's command line. Reads zk_watcher's INI file, registers each
/// healthy service in ZooKeeper (or etcd with <c>--store etcd --endpoint …</c>); SIGHUP re-reads
/// the file, SIGTERM removes every entry and exits 0.
/// </summary>
internal static class RegisterCommand
{
    public const string DefaultIni = "/etc/zk/config.cfg";

    public static Command Create(GlobalOptions global)
    {
        var ini = new Option<string>("-c") { Description = "zk_watcher configuration file", DefaultValueFactory = _ => DefaultIni, HelpName = "FILE" };
        ini.Aliases.Add("--config");
        var server = new Option<string?>("--server", "-s") { Description = "ZooKeeper server host:port[,host:port][/chroot] (default localhost:2181)" };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Debug logging" };
        var syslog = new Option<bool>("--syslog", "-l") { Description = "Log to syslog (/dev/log) instead of stderr" };
        var ttl = new Option<string?>("--ttl") { Description = "How long an entry outlives a dead agent: the ZooKeeper session timeout / etcd lease TTL / Consul session TTL (at least 10s there; default 10s)", HelpName = "DURATION" };
        var command = new Command("register", "Keep this host's services registered in ZooKeeper, etcd or Consul while their health checks pass (zk_watcher)")
        {
            ini, server, verbose, syslog, ttl,
        };
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(ini)!;
            var options = ZkWatcherConfigLoader.Load(path);
            var config = global.Resolve(parse);
            var store = config.Store;
            if (parse.GetValue(global.Store) is null && store.Kind is "file")
            {
                store = store with { Kind = "zookeeper", Files = [] };
            }

            var s = parse.GetValue(server);
            if (s is not null)
            {
                store = store with { Endpoints = [s] };
            }
            else if (store.Kind == "zookeeper" && store.Endpoints.Count == 0)
            {
                store = store with { Endpoints = ["localhost:2181"] };
            }

            store = GlobalOptions.WithRegisterAuth(store, options);

            if (parse.GetValue(ttl) is { } ttlText)
            {
                if (!Durations.TryParse(ttlText, out var t, out var error))
                {
                    throw new UsageException($"--ttl {error}");
                }

                if (t < TimeSpan.FromSeconds(2))
                {
                    throw new UsageException($"--ttl must be a duration of at least 2s, not \"{ttlText}\"");
                }

                store = store with { SessionTimeout = t };
                options = options with { Ttl = t };
            }

            var log = config.Log with { Level = parse.GetValue(verbose) ? LogLevel.Debug : config.Log.Level };
            config = config with { Store = store, Log = log };
            var useSyslog = parse.GetValue(syslog);

            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Services.AddLogging(b =>
            {
                TendLogging.Configure(b, config.Log);
                if (useSyslog)
                {
                    b.ClearProviders();
                    b.AddProvider(new SyslogLoggerProvider("tend-register"));
                }
            });
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.Drain + TimeSpan.FromSeconds(30));
            builder.Services.AddHostedService(sp => new RegisterService(l => GlobalOptions.OpenStore(config.Store, l), options, () => ZkWatcherConfigLoader.Load(path), sp.GetRequiredService<ILoggerFactory>()));
            using var host = builder.Build();
            await host.RunAsync(ct).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}

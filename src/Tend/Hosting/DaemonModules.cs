using Microsoft.Extensions.Logging;
using Tend.Core.Config;
using Tend.Core.Kv;
using Tend.Core.Mirror;
using Tend.Core.Processes;

namespace Tend.Hosting;

/// <summary>The modules the daemon runs, in one list: a new module is added here (and its section reader to <see cref="ModuleReaders"/>).</summary>
internal static class DaemonModules
{
    /// <summary>
    /// The modules of one runtime, in the order they are applied, written to <c>/status</c> and <c>/metrics</c>,
    /// and stopped: register first, so a stopping daemon withdraws its registrations before anything else stops.
    /// </summary>
    public static IReadOnlyList<IDaemonModule> Create(DaemonModuleContext context) =>
    [
        new RegisterModuleHost(context),
        new RenderModuleHost(context),
        new HooksModuleHost(context),
        new WatchModuleHost(context),
        new HealthModuleHost(context),
        new MembershipModuleHost(context),
        new InventoryMirrorHost(context),
    ];

    /// <summary>
    /// Validates every module's section of <paramref name="config"/> against <paramref name="store"/> without starting
    /// anything: <c>tend run</c>'s checks before the daemon starts, and a reload's before it switches to a new store.
    /// </summary>
    /// <exception cref="ConfigException">A section cannot run.</exception>
    public static async Task ValidateAsync(TendConfig config, IKvStore store, ILoggerFactory loggers, CancellationToken cancellationToken = default)
    {
        // Nothing is leased while nothing starts, so the set opens no watch.
        var mirrors = new KvMirrorSet(store, loggers);
        await using (mirrors.ConfigureAwait(false))
        {
            var modules = Create(new DaemonModuleContext(store, mirrors, loggers, ShellCommandRunner.Instance));
            try
            {
                foreach (var module in modules)
                {
                    var change = await module.ValidateAsync(config, cancellationToken).ConfigureAwait(false);
                    await change.DisposeAsync().ConfigureAwait(false);
                }
            }
            finally
            {
                foreach (var module in modules)
                {
                    await module.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }
}

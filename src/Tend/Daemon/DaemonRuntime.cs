using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tend.Core.Config;
using Tend.Core.Kv;
using Tend.Core.Mirror;
using Tend.Core.Processes;
using Tend.Hosting;
using Tend.Modules.Hooks;
using Tend.Modules.Membership;
using Tend.Modules.Register;
using Tend.Modules.Render;
using Tend.Modules.Render.Config;

namespace Tend.Daemon;

/// <summary>
/// Everything one store connection runs: the store, its mirrors, and the modules fed by them.
/// A reload that keeps the store settings reconfigures the modules in place (so registrations
/// whose identity did not change stay registered); a reload that changes the store builds a new
/// runtime after this one is disposed.
/// </summary>
internal sealed partial class DaemonRuntime : IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly IReadOnlyList<IDaemonModule> _modules;

    private DaemonRuntime(TendConfig config, IKvStore store, KvMirrorSet mirrors, ILoggerFactory loggers, Action<RenderModule?>? renderReplaced)
    {
        Config = config;
        Store = store;
        Mirrors = mirrors;
        _logger = loggers.CreateLogger<DaemonRuntime>();
        _modules = DaemonModules.Create(new DaemonModuleContext(store, mirrors, loggers, ShellCommandRunner.Instance, renderReplaced));
    }

    public TendConfig Config { get; private set; }

    public IKvStore Store { get; }

    public KvMirrorSet Mirrors { get; }

    /// <summary>The modules, in the order they are applied, shown in /status and /metrics, and stopped.</summary>
    public IReadOnlyList<IDaemonModule> Modules => _modules;

    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>The module of type <typeparamref name="T"/>.</summary>
    public T Module<T>()
        where T : IDaemonModule => _modules.OfType<T>().Single();

    /// <summary>Starts the runtime of <paramref name="config"/> on <paramref name="store"/> (opened from the configuration when <c>null</c>).</summary>
    /// <param name="config">The configuration.</param>
    /// <param name="loggers">Logging.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <param name="store">The store, when already opened.</param>
    /// <param name="renderReplaced">Told of each new render module before it starts rendering (exec mode follows its renders).</param>
    public static async Task<DaemonRuntime> StartAsync(TendConfig config, ILoggerFactory loggers, CancellationToken cancellationToken, IKvStore? store = null, Action<RenderModule?>? renderReplaced = null)
    {
        store ??= StoreOpener.Open(StoreOptions(config), loggers);
        var runtime = new DaemonRuntime(config, store, new KvMirrorSet(store, loggers), loggers, renderReplaced);
        try
        {
            await runtime.ConfigureModulesAsync(config, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await runtime.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        Log.Started(runtime._logger, store.Name, config.Watch.Prefixes.Count, RenderConfigReader.OptionsOf(config).Templates.Count);
        return runtime;
    }

    /// <summary>
    /// The store the runtime opens: <c>[store]</c>, except that a configuration whose only work is
    /// <c>[membership]</c> (which talks to the etcd members itself) needs none, and gets an empty memory store
    /// rather than the refusal a file store without files would give.
    /// </summary>
    public static KvStoreOptions StoreOptions(TendConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        bool onlyMembership = config.Module<MembershipOptions>("membership") is not null
            && RenderConfigReader.OptionsOf(config).Templates.Count == 0 && config.Watch.Prefixes.Count == 0
            && config.Module<RegisterOptions>("register") is null && !HooksModule.HasWork(config.Module<HooksOptions>("hooks"))
            && config.Http.Token is null;
        return onlyMembership && config.Store.Kind == "file" && config.Store.Files.Count == 0
            ? config.Store with { Kind = "memory" }
            : config.Store;
    }

    /// <summary>True when <paramref name="a"/> and <paramref name="b"/> reach the same store the same way.</summary>
    public static bool SameStore(KvStoreOptions a, KvStoreOptions b) =>
        // Every setting, lists included (a record compares those by reference), through the source-generated serializer.
        string.Equals(
            JsonSerializer.Serialize(a, StoreOptionsJsonContext.Default.KvStoreOptions),
            JsonSerializer.Serialize(b, StoreOptionsJsonContext.Default.KvStoreOptions),
            StringComparison.Ordinal);

    /// <summary>Applies a new configuration with the same store settings, in place.</summary>
    public async Task ReconfigureAsync(TendConfig next, CancellationToken cancellationToken)
    {
        await ConfigureModulesAsync(next, cancellationToken).ConfigureAwait(false);
        Config = next;
    }

    public async ValueTask DisposeAsync()
    {
        // In the list's order: register first, so its entries are withdrawn before anything else stops; every
        // module is gone before the store connection closes.
        foreach (var module in _modules)
        {
            await module.DisposeAsync().ConfigureAwait(false);
        }

        await Mirrors.DisposeAsync().ConfigureAwait(false);
        await Store.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Every module validates its section first — a section that cannot run rejects the reload before any module
    /// changed —, then each applies its own in place (a module whose identity did not change stays as it is).
    /// </summary>
    private async Task ConfigureModulesAsync(TendConfig config, CancellationToken cancellationToken)
    {
        var changes = new List<ModuleChange>(_modules.Count);
        try
        {
            foreach (var module in _modules)
            {
                changes.Add(await module.ValidateAsync(config, cancellationToken).ConfigureAwait(false));
            }

            foreach (var change in changes)
            {
                await change.ApplyAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            // Drops what a rejected reload had validated (a render module built and never started).
            foreach (var change in changes)
            {
                await change.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Running on {Store}, watching {Prefixes} prefixes, rendering {Templates} templates")]
        public static partial void Started(ILogger logger, string store, int prefixes, int templates);
    }
}

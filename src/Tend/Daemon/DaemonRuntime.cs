using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tend.Core.Config;
using Tend.Core.Kv;
using Tend.Core.Mirror;
using Tend.Core.Processes;
using Tend.Hosting;
using Tend.Modules.Health;
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
    private readonly ILoggerFactory _loggers;
    private readonly List<IDisposable> _subscriptions = [];
    private Action<RenderModule?>? _renderReplaced;
    private RegisterModule? _register;
    private HooksModule? _hooks;
    private HealthModule? _health;
    private MembershipModule? _membership;

    private DaemonRuntime(TendConfig config, IKvStore store, KvMirrorSet mirrors, ILoggerFactory loggers)
    {
        Config = config;
        Store = store;
        Mirrors = mirrors;
        _loggers = loggers;
        _logger = loggers.CreateLogger<DaemonRuntime>();
    }

    public TendConfig Config { get; private set; }

    public IKvStore Store { get; }

    public KvMirrorSet Mirrors { get; }

    public RegisterModule? Register => _register;

    /// <summary>The hooks module (Nagios generator, exec hooks), when the configuration has any.</summary>
    public HooksModule? Hooks => _hooks;

    /// <summary>The health module (continuous checks, roles, triggers), when the configuration has a [health] section.</summary>
    public HealthModule? Health => _health;

    /// <summary>The membership module (etcd-discovery), when the configuration has <c>[membership]</c>.</summary>
    public MembershipModule? Membership => _membership;

    /// <summary>The render module, when the configuration has render resources.</summary>
    public RenderModule? Render { get; private set; }

    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>Starts the runtime of <paramref name="config"/> on <paramref name="store"/> (opened from the configuration when <c>null</c>).</summary>
    /// <param name="config">The configuration.</param>
    /// <param name="loggers">Logging.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <param name="store">The store, when already opened.</param>
    /// <param name="renderReplaced">Told of each new render module before it starts rendering (exec mode follows its renders).</param>
    public static async Task<DaemonRuntime> StartAsync(TendConfig config, ILoggerFactory loggers, CancellationToken cancellationToken, IKvStore? store = null, Action<RenderModule?>? renderReplaced = null)
    {
        store ??= StoreOpener.Open(StoreOptions(config), loggers);
        var runtime = new DaemonRuntime(config, store, new KvMirrorSet(store, loggers), loggers) { _renderReplaced = renderReplaced };
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
        if (_membership is not null)
        {
            await _membership.DisposeAsync().ConfigureAwait(false);
        }

        if (_register is not null)
        {
            // Deregister first: entries must be gone before the store connection closes.
            await _register.DisposeAsync().ConfigureAwait(false);
        }

        if (_health is not null)
        {
            // Published health entries go with the register entries, before the connection closes.
            await _health.DisposeAsync().ConfigureAwait(false);
        }

        if (Render is not null)
        {
            await Render.DisposeAsync().ConfigureAwait(false);
        }

        if (_hooks is not null)
        {
            await _hooks.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var s in _subscriptions)
        {
            s.Dispose();
        }

        await Mirrors.DisposeAsync().ConfigureAwait(false);
        await Store.DisposeAsync().ConfigureAwait(false);
    }

    private async Task ConfigureModulesAsync(TendConfig config, CancellationToken cancellationToken)
    {
        // A [health] whose identity does not resolve rejects the reload before any module changes.
        var health = config.Module<HealthOptions>("health");
        if (health is not null)
        {
            HealthModule.Validate(health);
        }

        // The render module is built first, so a check command that does not parse rejects the whole
        // reload and the running resources stay as they are. A template that cannot be read or parsed
        // fails only its own resource: its file stays, and every other resource takes the new configuration.
        var renderOptions = RenderConfigReader.OptionsOf(config);
        var render = renderOptions.Templates.Count > 0
            ? RenderModule.Create(renderOptions, Store, Mirrors, ShellCommandRunner.Instance, _loggers, Console.Out)
            : null;

        // Hooks next: their templates compile and the ssh user is looked up before anything changes,
        // so a bad [hooks] section rejects the reload too. Unchanged hooks keep running with their queues.
        // A daemon that accepts /putall also finishes a replace of the inventory left unfinished.
        var hooks = config.Module<HooksOptions>("hooks");
        bool servesInventoryWrites = config.Http.Listen is not null && config.Http.Token is not null;
        if (HooksModule.HasWork(hooks) || servesInventoryWrites)
        {
            var module = _hooks ?? new HooksModule(Mirrors, ShellCommandRunner.Instance, _loggers, Store);
            try
            {
                await module.ApplyAsync(hooks ?? new HooksOptions(), servesInventoryWrites, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                if (_hooks is null)
                {
                    await module.DisposeAsync().ConfigureAwait(false);
                }

                if (render is not null)
                {
                    await render.DisposeAsync().ConfigureAwait(false);
                }

                throw;
            }

            _hooks = module;
        }
        else if (_hooks is not null)
        {
            await _hooks.DisposeAsync().ConfigureAwait(false);
            _hooks = null;
        }

        if (Render is not null)
        {
            await Render.DisposeAsync().ConfigureAwait(false);
        }

        Render = render;
        _renderReplaced?.Invoke(render);
        Render?.Start();

        foreach (var s in _subscriptions)
        {
            s.Dispose();
        }

        _subscriptions.Clear();
        foreach (var prefix in config.Watch.Prefixes)
        {
            // Leased, so a prefix a reload drops stops being watched; the subscription goes before its lease.
            var lease = Mirrors.Lease(prefix);
            _subscriptions.Add(lease.Mirror.Subscribe(LogChanges));
            _subscriptions.Add(lease);
        }

        // Health after render and hooks (its identity was validated before any of this ran).
        if (health is not null)
        {
            _health ??= new HealthModule(Store, Mirrors, ShellCommandRunner.Instance, _loggers);
            await _health.ApplyAsync(health, cancellationToken).ConfigureAwait(false);
        }
        else if (_health is not null)
        {
            await _health.DisposeAsync().ConfigureAwait(false);
            _health = null;
        }

        var membership = config.Module<MembershipOptions>("membership");
        if (membership is not null)
        {
            _membership ??= new MembershipModule(_loggers);
            await _membership.ApplyAsync(membership, cancellationToken).ConfigureAwait(false);
        }
        else if (_membership is not null)
        {
            await _membership.DisposeAsync().ConfigureAwait(false);
            _membership = null;
        }

        var register = config.Module<RegisterOptions>("register");
        if (register is not null)
        {
            _register ??= new RegisterModule(Store, loggers: _loggers);
            await _register.ApplyAsync(register, cancellationToken).ConfigureAwait(false);
        }
        else if (_register is not null)
        {
            await _register.DisposeAsync().ConfigureAwait(false);
            _register = null;
        }
    }

    private void LogChanges(KvMirrorUpdate update)
    {
        if (update.IsResync)
        {
            Log.Resynced(_logger, update.Current.Prefix, update.ChangedKeys.Count, update.Current.Revision);
        }

        foreach (var key in update.ChangedKeys)
        {
            if (update.Current.Get(key) is { } pair)
            {
                Log.Put(_logger, key, pair.Value, update.Current.Revision);
            }
            else
            {
                Log.Deleted(_logger, key, update.Current.Revision);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Running on {Store}, watching {Prefixes} prefixes, rendering {Templates} templates")]
        public static partial void Started(ILogger logger, string store, int prefixes, int templates);

        [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "PUT {Key} = {Value} (revision {Revision})")]
        public static partial void Put(ILogger logger, string key, string value, long revision);

        [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "DELETE {Key} (revision {Revision})")]
        public static partial void Deleted(ILogger logger, string key, long revision);

        [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "Resynced {Prefix}: {Count} keys differ (revision {Revision})")]
        public static partial void Resynced(ILogger logger, string prefix, int count, long revision);
    }
}

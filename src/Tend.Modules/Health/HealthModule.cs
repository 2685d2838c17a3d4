using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tend.Core.Agent;
using Tend.Core.Config;
using Tend.Core.Kv;
using Tend.Core.Mirror;
using Tend.Core.Processes;

namespace Tend.Modules.Health;

/// <summary>
/// The health module under <c>tend run</c>: one <see cref="HealthMonitor"/> per <c>[[health.check]]</c>,
/// reading roles, peers' health and triggers from shared mirrors of <c>cluster/ENV</c>,
/// <c>health/ENV</c> and <c>triggers/ENV</c>, and publishing this node's health as ephemeral entries
/// (on stores that have them). A reload keeps the checks whose settings did not change, so their
/// state, entry and trigger history carry over.
/// </summary>
public sealed partial class HealthModule : IAsyncDisposable
{
    private readonly IKvStore _store;
    private readonly KvMirrorSet _mirrors;
    private readonly ICommandRunner _runner;
    private readonly HttpClient _http;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly IPrimaryHealthSource? _primaries;
    private readonly IAgentCheckSink? _sink;
    private readonly IConsulAgent? _agent;
    private readonly ConsulAgentCheckSink? _catalog;
    private readonly string? _machineName;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<IDisposable> _subscriptions = [];
    private Dictionary<string, HealthMonitor> _monitors = new(StringComparer.Ordinal);
    private TriggerScheduler? _triggers;
    private MirrorHealthData? _data;
    private HealthOptions? _settings;
    private HealthIdentity? _identity;
    private (string? Hostname, string? Datacenter)? _agentNames;

    /// <summary>
    /// Creates the module; <paramref name="primaries"/> and <paramref name="sink"/> are the Consul agent's seam
    /// (default: on Consul, the agent's health API and its TTL checks for <c>catalog = true</c>; elsewhere the
    /// published entries and no sink).
    /// </summary>
    public HealthModule(IKvStore store, KvMirrorSet mirrors, ICommandRunner? runner = null, ILoggerFactory? loggers = null, TimeProvider? time = null, IPrimaryHealthSource? primaries = null, IAgentCheckSink? sink = null, string? machineName = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(mirrors);
        _store = store;
        _mirrors = mirrors;
        _runner = runner ?? ShellCommandRunner.Instance;
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        _loggers = loggers ?? NullLoggerFactory.Instance;
        _logger = _loggers.CreateLogger<HealthModule>();
        _time = time ?? TimeProvider.System;
        _primaries = primaries;
        _agent = store.FindConsulAgent();
        _catalog = sink is null && _agent is not null ? new ConsulAgentCheckSink(_agent, _loggers.CreateLogger<ConsulAgentCheckSink>()) : null;
        _sink = sink ?? _catalog;
        _machineName = machineName;
    }

    /// <summary>How long the first apply waits for the Consul agent's node name and datacenter.</summary>
    public TimeSpan AgentWait { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The checks' and triggers' state; <c>null</c> before the first apply.</summary>
    public HealthStatus? Status => _identity is null
        ? null
        : new HealthStatus(_identity, _monitors.Values.Select(m => _catalog is null ? m.Status : _catalog.Describe(m.Status)).ToList(), _triggers?.Status ?? []);

    /// <summary>Validates what the daemon needs before starting: the identity resolves and the environment is known.</summary>
    /// <exception cref="ConfigException">It does not.</exception>
    public static HealthIdentity Validate(HealthOptions options, string? machineName = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        HealthIdentity identity;
        try
        {
            identity = HealthIdentity.Resolve(options, machineName);
            foreach (var c in options.Checks)
            {
                _ = identity.HealthKey(c.Service!);
            }
        }
        catch (Exception ex) when (ex is HealthUnknownException or ArgumentException)
        {
            throw new ConfigException($"[health]: {ex.Message}", ex);
        }

        return identity;
    }

    /// <summary>Starts, keeps and stops checks to match <paramref name="options"/>.</summary>
    /// <exception cref="ConfigException">The identity does not resolve; the running checks stay.</exception>
    public async Task ApplyAsync(HealthOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (_agent is null && options.Checks.FirstOrDefault(c => c.Catalog) is { } wantsCatalog)
        {
            throw new ConfigException($"[[health.check]] {wantsCatalog.Service} (line {wantsCatalog.Line}): catalog = true needs the Consul store; {_store.Name} has no agent to keep a TTL check in");
        }

        options = await WithAgentNamesAsync(options, cancellationToken).ConfigureAwait(false);
        var identity = Validate(options, _machineName);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            bool sameBase = _settings is not null && identity == _identity && SameBase(_settings, options);
            var old = _monitors;
            if (!sameBase)
            {
                await StopAllAsync().ConfigureAwait(false);
                old = new Dictionary<string, HealthMonitor>(StringComparer.Ordinal);
            }

            // The mirrors of one environment are leased while it is the module's: another after a reload lets them go.
            var data = _data is { } current && current.Environment == identity.Environment ? current : new MirrorHealthData(_mirrors, identity.Environment!);
            try
            {
                await ApplyCoreAsync(options, identity, sameBase, old, data).ConfigureAwait(false);
            }
            finally
            {
                if (data != _data)
                {
                    // Not adopted: the apply failed before the checks moved to it.
                    data.Dispose();
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task ApplyCoreAsync(HealthOptions options, HealthIdentity identity, bool sameBase, Dictionary<string, HealthMonitor> old, MirrorHealthData data)
    {
        bool publishes = _store.Capabilities.HasFlag(KvStoreCapabilities.Ephemeral);
        IPrimaryHealthSource published = new PublishedPrimaryHealthSource(data, publishes);
        var primaries = _primaries ?? (_agent is null ? published : new ConsulPrimaryHealthSource(_agent, data, published));
        var evaluator = new HealthEvaluator(data, primaries);
        _triggers ??= new TriggerScheduler(data, new TriggerExecutor(_runner, options.TriggerTimeout), options.FlapInterval, _loggers.CreateLogger<TriggerScheduler>(), _time);
        var factory = new HealthCheckFactory(_runner, _http, options.CheckProcs);
        var next = new Dictionary<string, HealthMonitor>(StringComparer.Ordinal);
        var started = new List<HealthMonitor>();
        foreach (var c in options.Checks)
        {
            var signature = Signature(c);
            if (old.Remove(signature, out var kept))
            {
                next[signature] = kept;
                continue;
            }

            var monitor = new HealthMonitor(c, identity, factory.Create(c), evaluator, _triggers, publishes ? _store : null, options.Ttl, _sink, options.TriggerOnPassing, _loggers.CreateLogger<HealthMonitor>(), _time);
            next[signature] = monitor;
            started.Add(monitor);
        }

        foreach (var gone in old.Values)
        {
            await gone.DisposeAsync().ConfigureAwait(false);
        }

        if (_catalog is not null)
        {
            await _catalog.SyncAsync(identity, options.Checks, options.Ttl).ConfigureAwait(false);
        }

        if (!publishes && options.Checks.Count > 0)
        {
            Log.NotPublishing(_logger, _store.Name);
        }

        _monitors = next;
        _settings = options;
        _identity = identity;
        if (data != _data)
        {
            // Only after another environment's identity, which stopped every check and subscription above.
            _data?.Dispose();
            _data = data;
        }

        if (_subscriptions.Count == 0)
        {
            // The trigger mirror (the third) is leased too but not subscribed: it is read when a check changes,
            // and watching it from the start keeps that read local.
            foreach (var mirror in data.Mirrors.Take(2))
            {
                _subscriptions.Add(mirror.Subscribe(OnPeersChanged));
            }
        }

        foreach (var m in started)
        {
            m.Start();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            await StopAllAsync().ConfigureAwait(false);
            _data?.Dispose();
            _data = null;
        }
        finally
        {
            _gate.Release();
        }

        if (_catalog is not null)
        {
            await _catalog.DisposeAsync().ConfigureAwait(false);
        }

        _http.Dispose();
        _gate.Dispose();
    }

    /// <summary>On Consul: the node name and datacenter the configuration leaves open, from the agent (the last answer when it is away on a reload).</summary>
    private async Task<HealthOptions> WithAgentNamesAsync(HealthOptions options, CancellationToken cancellationToken)
    {
        if (_agent is null || (options.Hostname is not null && options.Datacenter is not null))
        {
            return options;
        }

        try
        {
            var named = await AgentIdentity.ApplyAsync(options, _agent, _agentNames is null ? AgentWait : TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
            _agentNames = (named.Hostname, named.Datacenter);
            return named;
        }
        catch (HealthUnknownException ex)
        {
            if (_agentNames is { } known)
            {
                return options with { Hostname = options.Hostname ?? known.Hostname, Datacenter = options.Datacenter ?? known.Datacenter };
            }

            Log.AgentNamesUnknown(_logger, ex.Message);
            return options;
        }
    }

    private async Task StopAllAsync()
    {
        foreach (var s in _subscriptions)
        {
            s.Dispose();
        }

        _subscriptions.Clear();
        await Task.WhenAll(_monitors.Values.Select(m => m.DisposeAsync().AsTask())).ConfigureAwait(false);
        _monitors = new Dictionary<string, HealthMonitor>(StringComparer.Ordinal);
        if (_triggers is not null)
        {
            await _triggers.DisposeAsync().ConfigureAwait(false);
            _triggers = null;
        }
    }

    /// <summary>A peer published a change, or the cluster definition changed: the checks of that service look again at once.</summary>
    private void OnPeersChanged(KvMirrorUpdate update)
    {
        var identity = _identity;
        if (identity is null)
        {
            return;
        }

        foreach (var monitor in _monitors.Values)
        {
            var service = monitor.Options.Service!;
            var own = identity.HealthKey(service);
            var prefixes = new[] { identity.HealthPrefix(service), identity.ClusterKey(service) };
            if (update.ChangedKeys.Any(k => k != own && prefixes.Any(p => KeyPath.IsUnder(k, p))))
            {
                monitor.Wake();
            }
        }
    }

    private static bool SameBase(HealthOptions a, HealthOptions b) =>
        a.Ttl == b.Ttl && a.TriggerTimeout == b.TriggerTimeout && a.FlapInterval == b.FlapInterval
        && a.TriggerOnPassing == b.TriggerOnPassing && a.CheckProcs == b.CheckProcs;

    private static string Signature(HealthCheckOptions c) => string.Join(
        '\u0001',
        c.Service,
        c.Kind,
        c.LinuxService,
        c.User,
        c.Pattern,
        string.Join('\u0002', c.ProcessArguments),
        c.Command,
        c.TcpHost,
        c.Port,
        c.HttpUrl,
        c.HttpExpect,
        c.Interval.Ticks,
        c.Timeout.Ticks);

    private static partial class Log
    {
        [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "{Reason}; using the host name and hostname_pattern until the next reload")]
        public static partial void AgentNamesUnknown(ILogger logger, string reason);

        [LoggerMessage(EventId = 1000, Level = LogLevel.Warning, Message = "{Store} has no ephemeral entries: health is checked and triggers run, but nothing is published, and secondaries cannot see their primaries")]
        public static partial void NotPublishing(ILogger logger, string store);
    }
}

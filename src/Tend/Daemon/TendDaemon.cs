using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tend.Core.Config;
using Tend.Modules.Render.Config;

namespace Tend.Daemon;

/// <summary>
/// The long-running agent behind <c>tend run</c>: runs the current configuration, re-reads it on
/// SIGHUP (an invalid new file is logged and the last good configuration keeps running), and
/// stops cleanly on SIGTERM/SIGINT through the host.
/// </summary>
internal sealed partial class TendDaemon : BackgroundService
{
    private readonly Func<TendConfig> _reload;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly ReloadSignal _signal;
    private readonly SystemdNotifier _systemd;
    private readonly TimeProvider _time;
    private readonly IHostApplicationLifetime? _lifetime;
    private volatile DaemonRuntime? _runtime;
    private Modules.Render.ExecSupervisor? _exec;

    public TendDaemon(TendConfig initial, Func<TendConfig> reload, ILoggerFactory loggers, ReloadSignal signal, SystemdNotifier? systemd = null, TimeProvider? time = null, IHostApplicationLifetime? lifetime = null)
    {
        _lifetime = lifetime;
        Initial = initial;
        _reload = reload;
        _loggers = loggers;
        _signal = signal;
        _systemd = systemd ?? SystemdNotifier.Default;
        _time = time ?? TimeProvider.System;
        _logger = loggers.CreateLogger<TendDaemon>();
    }

    /// <summary>How long a new store may take to answer before a reload that switches to it is rejected.</summary>
    internal static TimeSpan StoreProbeMargin { get; } = TimeSpan.FromSeconds(5);

    public TendConfig Initial { get; }

    /// <summary>The runtime of the configuration in force (null before start and after stop).</summary>
    public DaemonRuntime? Runtime => _runtime;

    public long Reloads { get; private set; }

    /// <summary>The exit status Tend ends with: the exec child's, once it has exited; otherwise <c>null</c>.</summary>
    public int? ExitCode { get; private set; }

    public string? LastReloadError { get; private set; }

    /// <summary>Asks for a reload, as SIGHUP does.</summary>
    public void RequestReload() => _signal.Request();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_signal.WasIgnored)
        {
            Log.HupWasIgnored(_logger);
        }

        // As a container's PID 1, orphans re-parented to Tend (an exec child's own children) are reaped.
        using var reaper = Core.Processes.ZombieReaper.StartIfInit();
        if (RenderConfigReader.OptionsOf(Initial).Exec is { } exec)
        {
            // consul-template's exec mode: the child outlives reloads; when it ends, Tend ends with its status.
            _exec = new Modules.Render.ExecSupervisor(exec, _loggers);
            _ = _exec.Exited.ContinueWith(
                t =>
                {
                    ExitCode = t.Result;
                    _lifetime?.StopApplication();
                },
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnRanToCompletion,
                TaskScheduler.Default);
        }

        _runtime = await DaemonRuntime.StartAsync(Initial, _loggers, stoppingToken, renderReplaced: AttachExec).ConfigureAwait(false);

        try
        {
            await WhenHostStartedAsync(stoppingToken).ConfigureAwait(false);
            _systemd.Send("READY=1");
            while (!stoppingToken.IsCancellationRequested)
            {
                await WaitForReloadAsync(stoppingToken).ConfigureAwait(false);
                _systemd.Send("RELOADING=1");
                await ReloadAsync(stoppingToken).ConfigureAwait(false);
                _systemd.Send("READY=1");
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Normal stop.
        }
        finally
        {
            _systemd.Send("STOPPING=1");
            if (_exec is not null)
            {
                // The child stops first (its kill signal, or the SIGTERM/SIGINT it was sent), then the modules.
                await _exec.DisposeAsync().ConfigureAwait(false);
                if (_exec.Exited.IsCompletedSuccessfully)
                {
                    ExitCode = _exec.Exited.Result;
                }
            }

            var last = _runtime;
            _runtime = null;
            if (last is not null)
            {
                await last.DisposeAsync().ConfigureAwait(false);
            }

            Log.Stopped(_logger);
        }
    }

    /// <summary>
    /// Returns once the host has started every service, its HTTP listener among them (the web server starts after
    /// this service's start returns). READY=1 tells systemd, and the units ordered after Tend, that <c>/healthz</c>
    /// answers; a listener that cannot bind fails the host's start, and READY=1 is never sent.
    /// </summary>
    private async Task WhenHostStartedAsync(CancellationToken stoppingToken)
    {
        if (_lifetime is null || _lifetime.ApplicationStarted.IsCancellationRequested)
        {
            return;
        }

        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (_lifetime.ApplicationStarted.Register(static s => ((TaskCompletionSource)s!).TrySetResult(), started))
        {
            await started.Task.WaitAsync(stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Waits for a reload request, pinging systemd's watchdog (WATCHDOG=1) every half WatchdogSec meanwhile. The
    /// pings come from this loop itself, so a daemon whose loop hangs (a reload that never ends, a starved thread
    /// pool) stops pinging and systemd restarts it.
    /// </summary>
    private async Task WaitForReloadAsync(CancellationToken stoppingToken)
    {
        if (_systemd.WatchdogInterval is not { } interval)
        {
            await _signal.WaitAsync(stoppingToken).ConfigureAwait(false);
            return;
        }

        var requested = _signal.WaitAsync(stoppingToken);
        while (true)
        {
            _systemd.Send("WATCHDOG=1");
            using var tick = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var delay = Task.Delay(interval, _time, tick.Token);
            if (await Task.WhenAny(requested, delay).ConfigureAwait(false) == requested)
            {
                await tick.CancelAsync().ConfigureAwait(false);
                await requested.ConfigureAwait(false);
                return;
            }

            // Throws when stopping.
            await delay.ConfigureAwait(false);
        }
    }

    /// <summary>Exec mode follows the renders of each new render module, attached before it starts.</summary>
    private void AttachExec(Modules.Render.RenderModule? render) => _exec?.Attach(render);

    private async Task ReloadAsync(CancellationToken cancellationToken)
    {
        TendConfig next;
        try
        {
            next = _reload();
        }
        catch (Exception ex) when (ex is ConfigException or ArgumentException)
        {
            Reject(ex.Message);
            return;
        }

        var current = _runtime!;
        if (next.Http != current.Config.Http)
        {
            Log.HttpNeedsRestart(_logger);
        }

        if (!Equals(RenderConfigReader.OptionsOf(next).Exec is { Command.Count: > 0 } n ? string.Join('\0', n.Command) : null, RenderConfigReader.OptionsOf(Initial).Exec is { } e ? string.Join('\0', e.Command) : null))
        {
            Log.ExecNeedsRestart(_logger);
        }

        try
        {
            if (DaemonRuntime.SameStore(DaemonRuntime.StoreOptions(next), DaemonRuntime.StoreOptions(current.Config)))
            {
                await current.ReconfigureAsync(next, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                // Another store: it must answer, and the new configuration's templates compile against it,
                // before the working connection is let go; otherwise the reload is rejected and nothing changed.
                var store = await ConnectStoreAsync(next, cancellationToken).ConfigureAwait(false);

                // The old runtime deregisters and closes before the new one registers.
                _runtime = null;
                await current.DisposeAsync().ConfigureAwait(false);
                _runtime = await DaemonRuntime.StartAsync(next, _loggers, cancellationToken, store, AttachExec).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is ConfigException or ArgumentException or Core.Kv.KvStoreException or IOException)
        {
            Reject(ex.Message);
            _runtime ??= await DaemonRuntime.StartAsync(current.Config, _loggers, cancellationToken, renderReplaced: AttachExec).ConfigureAwait(false);
            return;
        }

        Reloads++;
        LastReloadError = null;
        Log.Reloaded(_logger, next.SourcePath ?? "(defaults)");
    }

    /// <summary>
    /// Opens the store <paramref name="next"/> names and proves it answers: a read of a key the configuration
    /// uses (so credentials and permissions are proven too), within the store's request timeout and a margin.
    /// </summary>
    private async Task<Core.Kv.IKvStore> ConnectStoreAsync(TendConfig next, CancellationToken cancellationToken)
    {
        var store = Hosting.StoreOpener.Open(DaemonRuntime.StoreOptions(next), _loggers);
        var limit = next.Store.RequestTimeout + StoreProbeMargin;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limit);
        try
        {
            await store.GetAsync(ProbeKey(next), timeout.Token).ConfigureAwait(false);

            // Every module's section, against the new store, before the working connection is let go.
            await Hosting.DaemonModules.ValidateAsync(next, store, _loggers, cancellationToken).ConfigureAwait(false);

            Log.StoreAnswered(_logger, store.Name);
            return store;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw new Core.Kv.KvStoreUnavailableException($"the new store {store.Name} did not answer within {limit.TotalSeconds:0} s; still using {_runtime?.Store.Name}");
        }
        catch (Core.Kv.KvStoreException ex)
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw new Core.Kv.KvStoreUnavailableException($"the new store {store.Name} cannot be used: {ex.Message}; still using {_runtime?.Store.Name}", ex);
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A key the configuration reads (the first watched or rendered prefix), else the root.</summary>
    private static string ProbeKey(TendConfig config)
    {
        if (config.Watch.Prefixes.Count > 0)
        {
            return config.Watch.Prefixes[0];
        }

        var template = RenderConfigReader.OptionsOf(config).Templates.FirstOrDefault(t => t.Keys.Count > 0);
        return template is null ? Core.Kv.KeyPath.Root : Core.Kv.KeyPath.Join(template.Prefix, template.Keys[0]);
    }

    private void Reject(string reason)
    {
        LastReloadError = reason;
        Log.ReloadRejected(_logger, reason);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Configuration reloaded from {Path}")]
        public static partial void Reloaded(ILogger logger, string path);

        [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Reload rejected, the last good configuration keeps running: {Reason}")]
        public static partial void ReloadRejected(ILogger logger, string reason);

        [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "[http] changed: the HTTP listener keeps its old settings until Tend is restarted")]
        public static partial void HttpNeedsRestart(ILogger logger);

        [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Stopped")]
        public static partial void Stopped(ILogger logger);

        [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "The new store {Store} answered; switching to it")]
        public static partial void StoreAnswered(ILogger logger, string store);

        [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "The exec command changed: the running child keeps running; restart Tend to run the new command")]
        public static partial void ExecNeedsRestart(ILogger logger);

        [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "SIGHUP was inherited ignored (nohup?); Tend handles it anyway: SIGHUP reloads the configuration")]
        public static partial void HupWasIgnored(ILogger logger);
    }
}

using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tend.Core.Config;

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
    private readonly SemaphoreSlim _reloadRequested = new(0, 1);
    private volatile DaemonRuntime? _runtime;

    public TendDaemon(TendConfig initial, Func<TendConfig> reload, ILoggerFactory loggers)
    {
        Initial = initial;
        _reload = reload;
        _loggers = loggers;
        _logger = loggers.CreateLogger<TendDaemon>();
    }

    public TendConfig Initial { get; }

    /// <summary>The runtime of the configuration in force (null before start and after stop).</summary>
    public DaemonRuntime? Runtime => _runtime;

    public long Reloads { get; private set; }

    public string? LastReloadError { get; private set; }

    /// <summary>Asks for a reload, as SIGHUP does.</summary>
    public void RequestReload()
    {
        if (_reloadRequested.CurrentCount == 0)
        {
            try
            {
                _reloadRequested.Release();
            }
            catch (SemaphoreFullException)
            {
                // A reload is already pending; one is enough.
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var hup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, ctx =>
        {
            ctx.Cancel = true;
            RequestReload();
        });

        _runtime = await DaemonRuntime.StartAsync(Initial, _loggers, stoppingToken).ConfigureAwait(false);
        SystemdNotifier.Notify("READY=1");
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await _reloadRequested.WaitAsync(stoppingToken).ConfigureAwait(false);
                SystemdNotifier.Notify("RELOADING=1");
                await ReloadAsync(stoppingToken).ConfigureAwait(false);
                SystemdNotifier.Notify("READY=1");
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Normal stop.
        }
        finally
        {
            SystemdNotifier.Notify("STOPPING=1");
            var last = _runtime;
            _runtime = null;
            if (last is not null)
            {
                await last.DisposeAsync().ConfigureAwait(false);
            }

            Log.Stopped(_logger);
        }
    }

    private async Task ReloadAsync(CancellationToken cancellationToken)
    {
        TendConfig next;
        try
        {
            next = _reload();
        }
        catch (Exception ex) when (ex is ConfigException or Cli.UsageException or ArgumentException)
        {
            Reject(ex.Message);
            return;
        }

        var current = _runtime!;
        if (next.Http != current.Config.Http)
        {
            Log.HttpNeedsRestart(_logger);
        }

        try
        {
            if (DaemonRuntime.SameStore(DaemonRuntime.StoreOptions(next), DaemonRuntime.StoreOptions(current.Config)))
            {
                await current.ReconfigureAsync(next, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                // Check the new store settings before letting go of the old connection.
                using (var probeLoggers = Logging.TendLogging.CreateFactory(next.Log))
                {
                    await Cli.GlobalOptions.OpenStore(DaemonRuntime.StoreOptions(next), probeLoggers).DisposeAsync().ConfigureAwait(false);
                }

                // Another store: the old runtime deregisters and closes before the new one registers.
                _runtime = null;
                await current.DisposeAsync().ConfigureAwait(false);
                _runtime = await DaemonRuntime.StartAsync(next, _loggers, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is ConfigException or Cli.UsageException or ArgumentException or Core.Kv.KvStoreException)
        {
            Reject(ex.Message);
            _runtime ??= await DaemonRuntime.StartAsync(current.Config, _loggers, cancellationToken).ConfigureAwait(false);
            return;
        }

        Reloads++;
        LastReloadError = null;
        Log.Reloaded(_logger, next.SourcePath ?? "(defaults)");
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
    }
}

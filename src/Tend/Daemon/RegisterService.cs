using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tend.Core.Config;
using Tend.Core.Kv;
using Tend.Modules.Register;

namespace Tend.Daemon;

/// <summary>The host service behind <c>tend register</c>: one store (<paramref name="openStore"/>), one register module, HUP to re-read, TERM to deregister everything.</summary>
internal sealed partial class RegisterService(Func<ILoggerFactory, IKvStore> openStore, RegisterOptions initial, Func<RegisterOptions> reload, ILoggerFactory loggers) : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger<RegisterService>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var hup = new SemaphoreSlim(0, 1);
        using var signal = PosixSignalRegistration.Create(PosixSignal.SIGHUP, ctx =>
        {
            ctx.Cancel = true;
            if (hup.CurrentCount == 0)
            {
                hup.Release();
            }
        });

        var store = openStore(loggers);
        await using (store.ConfigureAwait(false))
        {
            var module = new RegisterModule(store, loggers: loggers);
            try
            {
                await module.ApplyAsync(initial, stoppingToken).ConfigureAwait(false);
                SystemdNotifier.Notify("READY=1");
                while (!stoppingToken.IsCancellationRequested)
                {
                    await hup.WaitAsync(stoppingToken).ConfigureAwait(false);
                    try
                    {
                        await module.ApplyAsync(reload(), stoppingToken).ConfigureAwait(false);
                        Log.Reloaded(_logger);
                    }
                    catch (ConfigException ex)
                    {
                        Log.ReloadRejected(_logger, ex.Message);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // SIGTERM/SIGINT.
            }
            finally
            {
                SystemdNotifier.Notify("STOPPING=1");
                await module.DisposeAsync().ConfigureAwait(false);
                Log.Stopped(_logger);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 720, Level = LogLevel.Information, Message = "Configuration re-read")]
        public static partial void Reloaded(ILogger logger);

        [LoggerMessage(EventId = 721, Level = LogLevel.Error, Message = "Reload rejected, the services keep running as before: {Reason}")]
        public static partial void ReloadRejected(ILogger logger, string reason);

        [LoggerMessage(EventId = 722, Level = LogLevel.Information, Message = "Every entry removed; stopped")]
        public static partial void Stopped(ILogger logger);
    }
}

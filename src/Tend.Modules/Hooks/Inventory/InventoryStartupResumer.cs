using Microsoft.Extensions.Logging;
using Tend.Core.Kv;

namespace Tend.Modules.Hooks.Inventory;

/// <summary>
/// The start-up step of a daemon that accepts inventory writes but runs no Nagios generator: once,
/// finish a replace that this or another process left unfinished (retrying while the store is
/// unreachable). No watch is kept for it: later ones are finished by the next write, or by a daemon
/// whose generator watches the root anyway (<see cref="InventoryResumer"/>).
/// </summary>
internal sealed partial class InventoryStartupResumer : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _run;

    public InventoryStartupResumer(HostInventoryWriter writer, ILogger logger, TimeSpan? firstRetry = null)
    {
        _run = Task.Run(() => RunAsync(writer, logger, firstRetry ?? TimeSpan.FromSeconds(5), _stopping.Token));
    }

    /// <summary>Completes when the step is done (or stopped).</summary>
    internal Task Completion => _run;

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _run.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped while waiting.
        }

        _stopping.Dispose();
    }

    private static async Task RunAsync(HostInventoryWriter writer, ILogger logger, TimeSpan retry, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await writer.ResumeAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is KvStoreException or InventoryWriteException && !cancellationToken.IsCancellationRequested)
            {
                Log.Failed(logger, writer.Inventory.Root, retry.TotalSeconds, ex.Message);
                await Task.Delay(retry, cancellationToken).ConfigureAwait(false);
                retry = retry * 2 < TimeSpan.FromMinutes(1) ? retry * 2 : TimeSpan.FromMinutes(1);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 856, Level = LogLevel.Warning, Message = "Inventory {Root}: could not check for an unfinished replace at start-up (retry in {Seconds:F0} s): {Reason}")]
        public static partial void Failed(ILogger logger, string root, double seconds, string reason);
    }
}

using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Tend.Core.Kv;
using Tend.Core.Mirror;

namespace Tend.Modules.Hooks.Inventory;

/// <summary>
/// The daemon's half of the inventory's crash recovery: when the guard says a replace is being
/// applied and it has not advanced for <see cref="StallTimeout"/> (its writer died, or lost the store),
/// this finishes it from its journal, so readers waiting for it are not left waiting. Running beside a
/// live writer is safe (each step is committed once under a compare on the guard); the timeout only
/// avoids doing its work twice.
/// </summary>
internal sealed partial class InventoryResumer : MirrorWorker
{
    private readonly HostInventoryWriter _writer;
    private readonly ILogger _logger;

    public InventoryResumer(HostInventoryWriter writer, KvMirrorLease mirror, ILogger logger)
        : base(mirror)
    {
        _writer = writer;
        _logger = logger;
    }

    /// <summary>How long an applying replace may go without progress before this finishes it.</summary>
    internal TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The first delay after a failed attempt; doubles up to a minute.</summary>
    internal TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    protected override void OnUpdate(KvMirrorUpdate update) => Wake();

    protected override async Task RunAsync(CancellationToken cancellationToken)
    {
        await Mirror.WhenSynced.WaitAsync(cancellationToken).ConfigureAwait(false);
        string? seen = null;
        long seenAt = 0;
        var retry = RetryDelay;
        while (!cancellationToken.IsCancellationRequested)
        {
            var guard = _writer.Inventory.GuardIn(Mirror.Current);
            if (guard is not { Applying: true })
            {
                seen = null;
                await SleepAsync(Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var mark = $"{guard.Id}:{guard.Applied}";
            if (mark != seen)
            {
                seen = mark;
                seenAt = Stopwatch.GetTimestamp();
            }

            var left = StallTimeout - Stopwatch.GetElapsedTime(seenAt);
            if (left > TimeSpan.Zero)
            {
                await SleepAsync(left, cancellationToken).ConfigureAwait(false);
                continue;
            }

            try
            {
                await _writer.ResumeAsync(cancellationToken).ConfigureAwait(false);
                retry = RetryDelay;
            }
            catch (Exception ex) when (ex is KvStoreException or InventoryWriteException && !cancellationToken.IsCancellationRequested)
            {
                Log.ResumeFailed(_logger, _writer.Inventory.Root, retry.TotalSeconds, ex.Message);
                await Task.Delay(retry, cancellationToken).ConfigureAwait(false);
                retry = retry * 2 < TimeSpan.FromMinutes(1) ? retry * 2 : TimeSpan.FromMinutes(1);
            }

            // Whatever happened, the mirror shows the result shortly: give it the stall timeout again.
            seen = null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 855, Level = LogLevel.Warning, Message = "Inventory {Root}: finishing the unfinished replace failed (retry in {Seconds:F0} s): {Reason}")]
        public static partial void ResumeFailed(ILogger logger, string root, double seconds, string reason);
    }
}

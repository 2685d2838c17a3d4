using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Tend.Daemon;

/// <summary>
/// Gives memory back once the daemon is quiet (<see cref="MemoryTrimPolicy"/>): a compacting collection that
/// returns the GC heap's free space to the system, then the start-up pages of the executable
/// (<see cref="ImagePages"/>). Without it an idle daemon keeps what start-up touched — the GC does not collect
/// while nothing allocates, and its young generation had grown to several MB while the configuration was read and
/// the first renders written — and the binary's pages that only start-up read (docs/benchmarks.md, "Where the
/// idle daemon's memory goes").
/// </summary>
internal sealed partial class MemoryTrim : BackgroundService
{
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Func<(long Allocated, long Committed, long ImageResident)> _measure;
    private readonly Func<TrimAction, (long CommittedAfter, long ImageBytesReleased)> _trim;
    private readonly MemoryTrimPolicy _policy = new();

    public MemoryTrim(ILogger<MemoryTrim> logger, TimeProvider? time = null, Func<(long, long, long)>? measure = null, Func<TrimAction, (long, long)>? trim = null)
    {
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _measure = measure ?? Measure;
        _trim = trim ?? (_ => Trim());
    }

    /// <summary>How often the daemon looks whether it is quiet.</summary>
    public static TimeSpan Interval { get; } = TimeSpan.FromSeconds(5);

    /// <summary>How many trims ran.</summary>
    public int Trims { get; private set; }

    /// <summary>One look: trims if the policy says so; what it did.</summary>
    public TrimAction Look()
    {
        var (allocated, committed, image) = _measure();
        var action = _policy.Next(allocated, committed, image);
        if (action == TrimAction.None)
        {
            return action;
        }

        var (after, released) = _trim(action);
        var now = _measure();
        _policy.Trimmed(action, after, now.ImageResident, now.Allocated);
        Trims++;
        if (action == TrimAction.Full)
        {
            Log.Trimmed(_logger, committed / 1024, after / 1024, released / 1024);
        }
        else
        {
            Log.TrimmedAgain(_logger, committed / 1024, after / 1024, released / 1024);
        }

        return action;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                Look();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Normal stop.
        }
    }

    private static (long, long, long) Measure() => (GC.GetTotalAllocatedBytes(), GC.GetGCMemoryInfo().TotalCommittedBytes, ImagePages.ResidentFileBytes());

    private static (long, long) Trim()
    {
        // Aggressive: compacts every generation and decommits the free space instead of keeping it for later.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        long committed = GC.GetGCMemoryInfo().TotalCommittedBytes;
        return (committed, ImagePages.Release());
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 30, Level = LogLevel.Debug, Message = "Quiet: memory given back — GC heap committed {BeforeKb} KB → {AfterKb} KB, {ReleasedKb} KB of the executable's start-up pages unmapped")]
        public static partial void Trimmed(ILogger logger, long beforeKb, long afterKb, long releasedKb);

        [LoggerMessage(EventId = 31, Level = LogLevel.Debug, Message = "Quiet: pages mapped since the last trim given back — GC heap committed {BeforeKb} KB → {AfterKb} KB, {ReleasedKb} KB of the executable's pages unmapped again")]
        public static partial void TrimmedAgain(ILogger logger, long beforeKb, long afterKb, long releasedKb);
    }
}

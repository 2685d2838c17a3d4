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
    private readonly Func<(long Allocated, long Committed)> _measure;
    private readonly Func<(long CommittedAfter, long ImageBytesReleased)> _trim;
    private readonly MemoryTrimPolicy _policy = new();

    public MemoryTrim(ILogger<MemoryTrim> logger, TimeProvider? time = null, Func<(long, long)>? measure = null, Func<(long, long)>? trim = null)
    {
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _measure = measure ?? Measure;
        _trim = trim ?? Trim;
    }

    /// <summary>How often the daemon looks whether it is quiet.</summary>
    public static TimeSpan Interval { get; } = TimeSpan.FromSeconds(5);

    /// <summary>How many trims ran.</summary>
    public int Trims { get; private set; }

    /// <summary>One look: trims if the policy says so; true when it did.</summary>
    public bool Look()
    {
        var (allocated, committed) = _measure();
        if (!_policy.ShouldTrim(allocated, committed))
        {
            return false;
        }

        var (after, released) = _trim();
        _policy.Trimmed(after, _measure().Allocated);
        Trims++;
        Log.Trimmed(_logger, committed / 1024, after / 1024, released / 1024);
        return true;
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

    private static (long, long) Measure() => (GC.GetTotalAllocatedBytes(), GC.GetGCMemoryInfo().TotalCommittedBytes);

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
    }
}

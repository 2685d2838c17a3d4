namespace Tend.Daemon;

/// <summary>
/// When the daemon gives memory back (<see cref="MemoryTrim"/>): once it is quiet — it allocated less than
/// <see cref="QuietBytes"/> since the previous look — for the first time after start, and after that whenever
/// the GC heap's committed memory has grown by <see cref="GrowthBytes"/> since the last trim (a reload, a
/// large resync, a burst of changes). A daemon that keeps working is never interrupted, and an idle one is
/// trimmed once, not on every look.
/// </summary>
internal sealed class MemoryTrimPolicy
{
    /// <summary>Less than this allocated between two looks is quiet (an idle daemon allocates a few KB a second).</summary>
    public const long QuietBytes = 256 * 1024;

    /// <summary>Growth of the committed GC heap since the last trim that makes another one worth its pause.</summary>
    public const long GrowthBytes = 4 * 1024 * 1024;

    private long? _lastAllocated;
    private long? _committedAfterTrim;

    /// <summary>Takes one look: the process's total allocated bytes and the GC heap's committed bytes now; true: trim.</summary>
    public bool ShouldTrim(long allocated, long committed)
    {
        bool quiet = _lastAllocated is { } last && allocated - last < QuietBytes;
        _lastAllocated = allocated;
        return quiet && (_committedAfterTrim is not { } after || committed - after >= GrowthBytes);
    }

    /// <summary>Records a trim and what the GC heap had committed after it.</summary>
    public void Trimmed(long committedAfter, long allocated)
    {
        _committedAfterTrim = committedAfter;
        _lastAllocated = allocated;
    }
}

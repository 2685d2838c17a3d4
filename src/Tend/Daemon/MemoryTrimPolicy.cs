namespace Tend.Daemon;

/// <summary>
/// When the daemon gives memory back (<see cref="MemoryTrim"/>), and how much of it. Only once it is quiet — it
/// allocated less than <see cref="QuietBytes"/> since the previous look — so a daemon that keeps working is never
/// interrupted:
/// <list type="bullet">
/// <item><see cref="TrimAction.Full"/> (a compacting collection, then the executable's pages) for the first time
/// after start, and after that whenever the GC heap's committed memory has grown by <see cref="GrowthBytes"/>
/// since the last one (a reload, a large resync, a burst of changes).</item>
/// <item><see cref="TrimAction.Again"/> (the same work) when the process's resident file pages have grown by
/// <see cref="ImageGrowthBytes"/> since the last trim, and that already at the previous look, the daemon quiet in
/// between (so for ten seconds at least): a code path that ran for the first time after it — the etcd
/// watchdog's first probe of a silent stream, 10–15 s after start, maps 4.4 MB of code and read-only data and
/// commits 1.6 MB (the type loader builds a generic method for it). Measured on the idle daemon with 100 templates
/// on etcd: 28.8 MiB RSS without it, 25.9 MiB with it (docs/benchmarks.md). The daemon's steady idle work maps
/// part of those pages again within seconds (the probe, every 5 s), so the growth after such a trim counts from
/// what is resident two looks after it, and each such trim waits twice as many looks as the one before (up to an
/// hour) in any case.</item>
/// </list>
/// </summary>
internal sealed class MemoryTrimPolicy
{
    /// <summary>Less than this allocated between two looks is quiet (an idle daemon allocates a few KB a second).</summary>
    public const long QuietBytes = 256 * 1024;

    /// <summary>Growth of the committed GC heap since the last trim that makes another one worth its pause.</summary>
    public const long GrowthBytes = 4 * 1024 * 1024;

    /// <summary>Growth of the resident file pages since the last trim that makes another one worth it.</summary>
    public const long ImageGrowthBytes = 2 * 1024 * 1024;

    /// <summary>The longest wait, in looks, between two trims for pages mapped again (an hour at 5 s).</summary>
    public const int MaxImageBackoffLooks = 720;

    private long? _lastAllocated;
    private long? _committedAfterTrim;
    private long _imageAfterTrim;
    private int _imageBackoffLooks = 1;
    private int _looksSinceTrim;
    private bool _previousQuiet;
    private long _previousImage;
    private bool _rebase;

    /// <summary>
    /// Takes one look: the process's total allocated bytes, the GC heap's committed bytes and the process's
    /// resident file-backed bytes now; what to give back, if anything.
    /// </summary>
    public TrimAction Next(long allocated, long committed, long imageResident)
    {
        bool quiet = _lastAllocated is { } last && allocated - last < QuietBytes;
        bool previousQuiet = _previousQuiet;
        long previousImage = _previousImage;
        _lastAllocated = allocated;
        _previousQuiet = quiet;
        _previousImage = imageResident;
        _looksSinceTrim++;
        if (_rebase && _looksSinceTrim == 2)
        {
            // Two looks after a trim for pages mapped again, what the steady idle work maps is back: that is the
            // level to grow from, or every later trim would only unmap pages that come back within seconds.
            _imageAfterTrim = imageResident;
            _rebase = false;
        }

        if (!quiet)
        {
            return TrimAction.None;
        }

        if (_committedAfterTrim is not { } after || committed - after >= GrowthBytes)
        {
            return TrimAction.Full;
        }

        // The pages must have been mapped before the previous look, and the daemon quiet since: the first change
        // after a quiet spell maps code too, with little allocated yet, and is not to be held up by a collection.
        // Trimming as its work began made one round's put → file p99 68 ms instead of 21 ms.
        return previousQuiet
            && previousImage - _imageAfterTrim >= ImageGrowthBytes
            && imageResident - _imageAfterTrim >= ImageGrowthBytes
            && _looksSinceTrim >= _imageBackoffLooks
            ? TrimAction.Again
            : TrimAction.None;
    }

    /// <summary>Records a trim: what it was, and what the GC heap had committed and the process had resident in file pages after it.</summary>
    public void Trimmed(TrimAction action, long committedAfter, long imageResidentAfter, long allocated)
    {
        _committedAfterTrim = committedAfter;
        _imageBackoffLooks = action == TrimAction.Again ? Math.Min(_imageBackoffLooks * 2, MaxImageBackoffLooks) : 1;

        _imageAfterTrim = imageResidentAfter;
        _previousImage = imageResidentAfter;
        _rebase = action == TrimAction.Again;
        _lastAllocated = allocated;
        _looksSinceTrim = 0;
    }
}

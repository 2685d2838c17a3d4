namespace Tend.Daemon;

/// <summary>How <see cref="ImagePages"/> releases one mapping of the executable.</summary>
internal enum ImageRelease
{
    /// <summary>madvise(MADV_DONTNEED): unmapped; the pages stay in the page cache.</summary>
    Unmap,

    /// <summary>madvise(MADV_PAGEOUT): clean pages reclaimed, pages the process wrote kept.</summary>
    Reclaim,
}

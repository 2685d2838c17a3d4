namespace Tend.Daemon;

/// <summary>What <see cref="MemoryTrimPolicy"/> decided at one look.</summary>
internal enum TrimAction
{
    /// <summary>Nothing: the daemon is working, or there is nothing worth giving back.</summary>
    None,

    /// <summary>A compacting collection that decommits the GC heap's free space, then the executable's pages.</summary>
    Full,

    /// <summary>
    /// The same as <see cref="Full"/>, because the process's resident file pages grew since the last trim: code that
    /// ran for the first time after it mapped pages of the executable, and its allocations are garbage by now.
    /// </summary>
    Again,
}

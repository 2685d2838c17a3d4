namespace Tend.Core.Files;

/// <summary>
/// What a rename-committed file (<see cref="AtomicFile"/>) promises across a power cut or a kernel crash. In
/// every mode readers only ever see the old or the new file, never a partial one; the modes differ in what a
/// crash can leave behind and in what the writer waits for before the rename.
/// </summary>
public enum FileDurability
{
    /// <summary>
    /// No flush (<c>durability = "none"</c>, <c>fsync = false</c>; what confd does): the write-back is left to
    /// the kernel. After a crash the destination may be the old file, the new one, or, depending on the file
    /// system, empty or partial.
    /// </summary>
    None,

    /// <summary>
    /// <c>durability = "ordered"</c>: the staged file's data is written and waited for before the
    /// rename (<c>sync_file_range</c>, which does not wait for a journal commit); the fsync of the file and of its
    /// directory follow the rename, off the writer's path. On ext4 and XFS (journalled metadata, write barriers
    /// on) a crash leaves the old file or the complete new one, never an empty or partial file; the new one is
    /// certain to survive once the deferred fsyncs have run. Elsewhere it would promise no more than <see cref="None"/>
    /// until those fsyncs have run, so there (or where it cannot be told) the file is flushed as <see cref="Full"/>
    /// and <see cref="StagedFile.Fallback"/> says why.
    /// </summary>
    Ordered,

    /// <summary>
    /// The default (<c>durability = "full"</c>, <c>fsync = true</c>): fsync of the staged file before the rename
    /// and of the directory after it: old or complete new on any POSIX file system that honours fsync, at the cost of
    /// waiting for the journal on every write.
    /// </summary>
    Full,
}

namespace Tend.Core.Files;

/// <summary>What <see cref="FileFlushTrace"/> records.</summary>
internal enum FileFlushStep
{
    /// <summary>fsync or fdatasync of a file.</summary>
    Sync,

    /// <summary>sync_file_range: the data written and waited for, no journal commit.</summary>
    DataWrite,

    /// <summary>fsync of a directory.</summary>
    DirectorySync,

    /// <summary>A staged file renamed over its destination (the path is the destination).</summary>
    Rename,
}

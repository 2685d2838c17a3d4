namespace Tend.Core.Files;

/// <summary>
/// Keeps a copy of a file about to be replaced (<c>backup = true</c>: <c>dest.bak</c>). The copy is made
/// the way staged files are: a fresh name created exclusively (a symlink planted at <c>dest.bak</c> or
/// at the temporary name is never followed), owner and mode set before any content, fsynced, then
/// renamed over the backup path — which replaces whatever entry is there, link or file, without
/// writing through it. Without durability (<c>fsync = false</c>) the copy is not fsynced, as the staged
/// file beside it is not.
/// </summary>
internal static class FileBackup
{
    /// <summary>Copies <paramref name="source"/> to <paramref name="backupPath"/>; nothing when the source does not exist.</summary>
    /// <exception cref="IOException">The copy could not be made; the backup path is left as it was.</exception>
    public static void Create(string source, string backupPath, bool durable = true)
    {
        var full = Path.GetFullPath(backupPath);
        var st = NativeMethods.Stat(source, followLinks: false);
        if (st is null)
        {
            return;
        }

        var temp = AtomicFile.StagePath(full);
        try
        {
            if (st.Value.IsSymlink)
            {
                // The replaced entry was a link: keep the link (symlink(2) creates exclusively), never what it points at.
                var target = new FileInfo(source).LinkTarget;
                if (target is null)
                {
                    return; // replaced meanwhile by something else; the next commit sees it
                }

                File.CreateSymbolicLink(temp, target);
            }
            else if (st.Value.IsRegular)
            {
                CopyRegular(source, temp, st.Value, durable);
            }
            else
            {
                return; // a directory or device at dest: the rename over it fails on its own, with its own error
            }

            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            AtomicFile.TryDelete(temp);
            throw;
        }
    }

    private static void CopyRegular(string source, string temp, NativeMethods.FileStat st, bool durable)
    {
        // O_NOFOLLOW: if the source was swapped for a link since the stat, fail rather than copy the link's target.
        using var from = NativeMethods.OpenReadNoFollow(source);
        using var to = AtomicFile.CreateExclusive(temp);
        AtomicFile.SetOwnerAndMode(to.SafeFileHandle, temp, st.Uid, st.Gid, st.Mode);
        using (var reader = new FileStream(from, FileAccess.Read, bufferSize: 0))
        {
            reader.CopyTo(to, 64 * 1024);
        }

        if (durable)
        {
            NativeMethods.Sync(to.SafeFileHandle, temp, dataOnly: false);
        }
    }
}

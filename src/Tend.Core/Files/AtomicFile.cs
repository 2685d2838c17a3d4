namespace Tend.Core.Files;

/// <summary>
/// Writes files so that readers only ever see the old or the new content, never a partial file:
/// stage in the destination's directory (created exclusively, owner and mode set before the
/// content), then rename over the destination. What a power cut can leave depends on the
/// <see cref="FileDurability"/>: <see cref="FileDurability.Full"/> fsyncs the staged file before the rename;
/// <see cref="FileDurability.Ordered"/> has its data on the device before the rename and the fsyncs of
/// file and directory follow it;
/// <see cref="FileDurability.None"/> flushes nothing. <see cref="Stage"/>
/// lets a caller check the staged file (e.g. <c>haproxy -c -f</c>) before committing it.
/// </summary>
/// <remarks>
/// A destination that is a symbolic link is replaced by a regular file, never written through:
/// it is never "up to date", its target's mode and owner are not inherited, and the rename replaces
/// the link itself. Following it would let whoever can write the destination's directory point a
/// root-run render at any file on the system.
/// </remarks>
public static class AtomicFile
{
    private const string StageMarker = ".tend-";
    private const int StageSuffixLength = 10;

    /// <summary>Writes <paramref name="content"/> to <paramref name="destination"/> atomically, as durable as <paramref name="durability"/> says; durable when it returns unless <see cref="FileDurability.None"/>.</summary>
    public static void Write(string destination, ReadOnlySpan<byte> content, FileOwnership? ownership = null, bool createDirectories = false, FileDurability durability = FileDurability.Full)
    {
        using var staged = Stage(destination, content, ownership, createDirectories, durability);
        staged.Commit();
    }

    /// <summary>
    /// Stages <paramref name="content"/> beside <paramref name="destination"/>; dispose without committing to discard it.
    /// <see cref="FileDurability.Full"/> fsyncs the staged file now; <see cref="FileDurability.Ordered"/> writes its data
    /// to the device and waits for it (no journal commit), leaving the fsyncs for after the rename (falling back to
    /// <see cref="FileDurability.Full"/> where the file system cannot); <see cref="FileDurability.None"/> flushes nothing.
    /// With <c>flushLater</c>, the fsync that <see cref="FileDurability.Full"/> makes is left to
    /// <see cref="StagedFile.FlushInBackground"/>, so it can run beside a check of the staged file; the commit never
    /// renames an unflushed file: it waits for that fsync, or makes it itself.
    /// </summary>
    /// <remarks>
    /// <see cref="FileDurability.Ordered"/> is kept only where the file system keeps its promise (ext4 with a journal,
    /// XFS, barriers on; decided once per device); elsewhere the file is flushed as <see cref="FileDurability.Full"/>
    /// and <see cref="StagedFile.Fallback"/> says why.
    /// </remarks>
    /// <exception cref="IOException">The directory is missing (and not to be created), or not writable; or the flush failed.</exception>
    public static StagedFile Stage(string destination, ReadOnlySpan<byte> content, FileOwnership? ownership = null, bool createDirectories = false, FileDurability durability = FileDurability.Full, bool flushLater = false) =>
        StageWith(OrderedDurabilityProbe.Machine, destination, content, ownership, createDirectories, durability, flushLater);

    /// <summary>As <see cref="Stage"/>, with <paramref name="ordering"/> deciding where ordered holds (tests give it a file system's answer).</summary>
    internal static StagedFile StageWith(IOrderedDurabilityCheck ordering, string destination, ReadOnlySpan<byte> content, FileOwnership? ownership = null, bool createDirectories = false, FileDurability durability = FileDurability.Full, bool flushLater = false)
    {
        var full = Path.GetFullPath(destination);
        var dir = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(dir))
        {
            if (!createDirectories)
            {
                throw new DirectoryNotFoundException($"{dir}: directory does not exist (set create_dest_dirs to create it)");
            }

            Directory.CreateDirectory(dir);
        }

        var temp = StagePath(full);
        Microsoft.Win32.SafeHandles.SafeFileHandle? pending = null, unflushed = null;
        DurabilityFallback? fallback = null;
        bool replacesFile;
        try
        {
            using (var fs = CreateExclusive(temp))
            {
                var target = Resolve(full, ownership, out replacesFile);
                SetOwnerAndMode(fs.SafeFileHandle, temp, target.Uid!.Value, target.Gid!.Value, target.Mode!.Value);
                fs.Write(content);

                // After the content, mode and owner are set, so one flush covers them all before the rename can
                // expose the file. Ordered: the data only (the mode and owner are journalled metadata, committed
                // with or before the rename), and a read handle kept for the fsync after the rename; where the file
                // system does not commit the rename after that data, the full fsync instead.
                if (durability == FileDurability.Ordered)
                {
                    fallback = ordering.Check(fs.SafeFileHandle);
                    if (fallback is null && !NativeMethods.WriteDataAndWait(fs.SafeFileHandle, temp))
                    {
                        fallback = new DurabilityFallback(NativeMethods.Device(fs.SafeFileHandle) is { } dev ? $"{dev.Major}:{dev.Minor}" : "?", "the file system does not support sync_file_range");
                    }
                }

                if (durability == FileDurability.Ordered && fallback is null)
                {
                    pending = NativeMethods.OpenReadNoFollow(temp);
                }
                else if (durability != FileDurability.None)
                {
                    durability = FileDurability.Full;
                    if (flushLater)
                    {
                        unflushed = NativeMethods.OpenReadNoFollow(temp);
                    }
                    else
                    {
                        NativeMethods.Sync(fs.SafeFileHandle, temp, dataOnly: false);
                    }
                }
            }

            return new StagedFile(temp, full, durability, pending, unflushed) { ReplacesFile = replacesFile, Fallback = fallback };
        }
        catch
        {
            pending?.Dispose();
            unflushed?.Dispose();
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>
    /// True when <paramref name="destination"/> exists with exactly <paramref name="content"/> and
    /// the mode and owner <paramref name="ownership"/> asks for (unset members are not compared).
    /// </summary>
    public static bool IsUpToDate(string destination, ReadOnlySpan<byte> content, FileOwnership? ownership = null)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var stat = NativeMethods.Stat(destination, followLinks: false);
        if (stat is not { IsRegular: true } st || st.Size != content.Length)
        {
            return false;
        }

        if ((ownership?.Mode is { } mode && st.Mode != mode)
            || (ownership?.Uid is { } uid && uid != st.Uid)
            || (ownership?.Gid is { } gid && gid != st.Gid))
        {
            return false;
        }

        return SameContent(destination, content);
    }

    /// <summary>The owner of <paramref name="path"/> as (uid, gid), following links; (-1, -1) when it does not exist.</summary>
    public static (int Uid, int Gid) Owner(string path) =>
        NativeMethods.Stat(path) is { } st ? (st.Uid, st.Gid) : (-1, -1);

    private static bool SameContent(string path, ReadOnlySpan<byte> content)
    {
        // Compared in chunks from a pooled buffer: a re-render that changes nothing should not
        // allocate a copy of the file every time.
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Min(Math.Max(content.Length + 1, 1), 64 * 1024));
        try
        {
            using var handle = NativeMethods.OpenReadNoFollow(path);
            long offset = 0;
            while (true)
            {
                int n = RandomAccess.Read(handle, buffer, offset);
                if (n == 0)
                {
                    return offset == content.Length;
                }

                if (offset + n > content.Length || !buffer.AsSpan(0, n).SequenceEqual(content.Slice((int)offset, n)))
                {
                    return false;
                }

                offset += n;
            }
        }
        catch (FileNotFoundException)
        {
            return false;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The mode and owner the staged file gets; <paramref name="existing"/>: whether the destination is a regular file now.</summary>
    private static FileOwnership Resolve(string destination, FileOwnership? wanted, out bool existing)
    {
        // Defaults: the existing file's mode and owner (so an operator's chmod survives renders), else 0644 and the process's ids.
        UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        int uid = NativeMethods.EffectiveUid, gid = NativeMethods.EffectiveGid;
        existing = false;
        if (NativeMethods.Stat(destination, followLinks: false) is { IsRegular: true } st)
        {
            (mode, uid, gid) = (st.Mode, st.Uid, st.Gid);
            existing = true;
        }

        return new FileOwnership(wanted?.Mode ?? mode, wanted?.Uid ?? uid, wanted?.Gid ?? gid);
    }

    /// <summary>
    /// Removes staged files a killed run left beside <paramref name="destination"/> (and beside its
    /// <c>.bak</c>): only names Tend itself gives them, <c>.NAME.tend-</c> and ten hex digits, never
    /// another file. Returns the paths removed.
    /// </summary>
    public static IReadOnlyList<string> RemoveStaleStageFiles(string destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var full = Path.GetFullPath(destination);
        var dir = Path.GetDirectoryName(full)!;
        var name = Path.GetFileName(full);
        var removed = new List<string>();
        if (!Directory.Exists(dir))
        {
            return removed;
        }

        // The wildcard only narrows the listing; the exact test below decides.
        var pattern = name.AsSpan().IndexOfAny('*', '?') >= 0 ? "*" : "." + name + ".*";
        IEnumerable<string> candidates;
        try
        {
            candidates = Directory.EnumerateFileSystemEntries(dir, pattern, new EnumerationOptions { AttributesToSkip = 0, RecurseSubdirectories = false, MatchType = MatchType.Simple }).ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return removed;
        }

        foreach (var path in candidates)
        {
            var file = Path.GetFileName(path);
            if (!(IsStageName(file, name) || IsStageName(file, name + ".bak"))
                || NativeMethods.Stat(path, followLinks: false) is not { } st || !(st.IsRegular || st.IsSymlink))
            {
                continue;
            }

            try
            {
                File.Delete(path);
                removed.Add(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Not ours to fight over; the next start tries again.
            }
        }

        return removed;
    }

    /// <summary>True for the names <see cref="StagePath"/> gives a file staged for <paramref name="destinationName"/>.</summary>
    internal static bool IsStageName(string fileName, string destinationName)
    {
        var prefix = "." + destinationName + StageMarker;
        return fileName.Length == prefix.Length + StageSuffixLength
            && fileName.StartsWith(prefix, StringComparison.Ordinal)
            && fileName.AsSpan(prefix.Length).IndexOfAnyExcept("0123456789abcdef") < 0;
    }

    /// <summary>A fresh name beside <paramref name="destination"/>: hidden, naming what it is for, and recognisable as Tend's (<see cref="RemoveStaleStageFiles"/>).</summary>
    internal static string StagePath(string destination) =>
        Path.Combine(Path.GetDirectoryName(destination)!, $".{Path.GetFileName(destination)}{StageMarker}{Guid.NewGuid().ToString("N")[..StageSuffixLength]}");

    /// <summary>
    /// Creates <paramref name="path"/> exclusively (O_CREAT|O_EXCL, which never follows a symlink
    /// planted there) with mode 0600, so nothing else can read it before its mode is set.
    /// </summary>
    internal static FileStream CreateExclusive(string path) => new(path, new FileStreamOptions
    {
        Mode = FileMode.CreateNew,
        Access = FileAccess.Write,
        Share = FileShare.None,
        BufferSize = 0,
        UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
    });

    /// <summary>Owner first, then mode: chown(2) clears setuid and setgid bits, so the mode must come after it.</summary>
    internal static void SetOwnerAndMode(Microsoft.Win32.SafeHandles.SafeFileHandle handle, string path, int uid, int gid, UnixFileMode mode)
    {
        if (uid != NativeMethods.EffectiveUid || gid != NativeMethods.EffectiveGid)
        {
            NativeMethods.Chown(handle, path, uid, gid);
        }

        NativeMethods.Chmod(handle, path, mode);
    }

    internal static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

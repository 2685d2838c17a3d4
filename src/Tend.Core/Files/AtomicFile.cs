namespace Tend.Core.Files;

/// <summary>
/// Writes files so that readers only ever see the old or the new content, never a partial file:
/// stage in the destination's directory, fsync, set mode and owner, then rename over the
/// destination and fsync the directory. <see cref="Stage"/> lets a caller check the staged file
/// (e.g. <c>haproxy -c -f</c>) before committing it.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="content"/> to <paramref name="destination"/> atomically.</summary>
    public static void Write(string destination, ReadOnlySpan<byte> content, FileOwnership? ownership = null, bool createDirectories = false)
    {
        using var staged = Stage(destination, content, ownership, createDirectories);
        staged.Commit();
    }

    /// <summary>Stages <paramref name="content"/> beside <paramref name="destination"/>; dispose without committing to discard it.</summary>
    /// <exception cref="IOException">The directory is missing (and not to be created), or not writable.</exception>
    public static StagedFile Stage(string destination, ReadOnlySpan<byte> content, FileOwnership? ownership = null, bool createDirectories = false)
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

        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.tend-{Guid.NewGuid().ToString("N")[..10]}");
        try
        {
            // Created 0600 so nothing else can read it before its mode is set; no FileStream buffer, one write.
            using (var fs = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                BufferSize = 0,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }))
            {
                fs.Write(content);
                var target = Resolve(full, ownership);
                File.SetUnixFileMode(fs.SafeFileHandle, target.Mode!.Value);
                if (target.Uid != NativeMethods.EffectiveUid || target.Gid != NativeMethods.EffectiveGid)
                {
                    NativeMethods.Chown(fs.SafeFileHandle, temp, target.Uid!.Value, target.Gid!.Value);
                }

                // After the mode and owner are set, so one fsync makes content, mode and owner durable
                // before the rename can expose the file.
                NativeMethods.Sync(fs.SafeFileHandle, temp, dataOnly: false);
            }

            return new StagedFile(temp, full);
        }
        catch
        {
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
        var stat = NativeMethods.Stat(destination);
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
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
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

    private static FileOwnership Resolve(string destination, FileOwnership? wanted)
    {
        // Defaults: the existing file's mode and owner (so an operator's chmod survives renders), else 0644 and the process's ids.
        UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        int uid = NativeMethods.EffectiveUid, gid = NativeMethods.EffectiveGid;
        if (NativeMethods.Stat(destination) is { } st)
        {
            (mode, uid, gid) = (st.Mode, st.Uid, st.Gid);
        }

        return new FileOwnership(wanted?.Mode ?? mode, wanted?.Uid ?? uid, wanted?.Gid ?? gid);
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

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
            using (var fs = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }))
            {
                fs.Write(content);
                fs.Flush(flushToDisk: true);
            }

            var target = Resolve(full, ownership);
            File.SetUnixFileMode(temp, target.Mode!.Value);
            if (target.Uid != NativeMethods.EffectiveUid || target.Gid != NativeMethods.EffectiveGid)
            {
                NativeMethods.Chown(temp, target.Uid!.Value, target.Gid!.Value);
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
        var info = new FileInfo(destination);
        if (!info.Exists || info.Length != content.Length)
        {
            return false;
        }

        if (ownership?.Mode is { } mode && info.UnixFileMode != mode)
        {
            return false;
        }

        if (ownership?.Uid is not null || ownership?.Gid is not null)
        {
            var (uid, gid) = Owner(destination);
            if ((ownership.Uid is { } u && u != uid) || (ownership.Gid is { } g && g != gid))
            {
                return false;
            }
        }

        return File.ReadAllBytes(destination).AsSpan().SequenceEqual(content);
    }

    /// <summary>The owner of <paramref name="path"/> as (uid, gid).</summary>
    public static (int Uid, int Gid) Owner(string path)
    {
        // .NET has no stat owner API; /proc/self is not it either. `stat -c` is robust and only used when comparing owners.
        var psi = new System.Diagnostics.ProcessStartInfo("stat", ["-L", "-c", "%u %g", path]) { RedirectStandardOutput = true, UseShellExecute = false };
        using var p = System.Diagnostics.Process.Start(psi)!;
        var text = p.StandardOutput.ReadToEnd().Trim().Split(' ');
        p.WaitForExit();
        return text.Length == 2 && int.TryParse(text[0], out var u) && int.TryParse(text[1], out var g) ? (u, g) : (-1, -1);
    }

    private static FileOwnership Resolve(string destination, FileOwnership? wanted)
    {
        // Defaults: the existing file's mode and owner (so an operator's chmod survives renders), else 0644 and the process's ids.
        UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        int uid = NativeMethods.EffectiveUid, gid = NativeMethods.EffectiveGid;
        if (File.Exists(destination))
        {
            mode = File.GetUnixFileMode(destination);
            if (wanted?.Uid is null || wanted.Gid is null)
            {
                (uid, gid) = Owner(destination);
            }
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

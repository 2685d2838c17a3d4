using System.Globalization;
using System.Runtime.InteropServices;

namespace Tend.Daemon;

/// <summary>
/// The pages of Tend's own executable that are mapped read-only (code, read-only data, unwind tables). Start-up
/// reads far more of them than an idle daemon does (configuration, the command line, the host, the first
/// renders), and the kernel counts every page it maps — 64 KB around each one read — in the process's RSS.
/// <see cref="Release"/> unmaps them (<c>madvise(MADV_DONTNEED)</c>): they stay in the page cache, and the ones
/// still in use are mapped again by the next read (a minor fault, no disk access). The writable data section and
/// the loader's RELRO part may hold pages the process wrote, so they stay as they are (<see cref="ImageRelease.Keep"/>).
/// </summary>
internal static class ImagePages
{
    private const int MadvDontNeed = 4;

    /// <summary>
    /// The private mappings of <paramref name="image"/> in <paramref name="smaps"/> (/proc/self/smaps' text), as
    /// start, length and how to release each. Read-only ones holding no anonymous page are unmapped
    /// (<see cref="ImageRelease.Unmap"/>): they can only hold the file's bytes. The others — the writable data
    /// section, and the RELRO part (the GOT and relocated read-only data the dynamic loader wrote before it made it
    /// read-only) — may hold pages of the process's own that unmapping would revert to the file's, so they are kept
    /// (<see cref="ImageRelease.Keep"/>).
    /// </summary>
    public static IReadOnlyList<(ulong Start, ulong Length, ImageRelease How)> Mappings(string smaps, string image) =>
        Mappings(smaps.Split('\n', StringSplitOptions.RemoveEmptyEntries), image);

    /// <summary>The same, from smaps' lines as they are read.</summary>
    public static IReadOnlyList<(ulong Start, ulong Length, ImageRelease How)> Mappings(IEnumerable<string> smapsLines, string image)
    {
        var found = new List<(ulong, ulong, ImageRelease)>();
        (ulong Start, ulong Length, bool ReadOnly)? candidate = null;
        foreach (var line in smapsLines)
        {
            if (line.StartsWith("Anonymous:", StringComparison.Ordinal))
            {
                if (candidate is { } c)
                {
                    found.Add((c.Start, c.Length, c.ReadOnly && IsZeroKb(line.AsSpan("Anonymous:".Length)) ? ImageRelease.Unmap : ImageRelease.Keep));
                }

                candidate = null;
                continue;
            }

            if (!IsMappingHeader(line, out var start, out var end, out var perms, out var path))
            {
                continue;
            }

            // A mapping's own lines follow its header; a header without an Anonymous line releases nothing.
            candidate = string.Equals(path, image, StringComparison.Ordinal) && perms.Length >= 4 && perms[0] == 'r' && perms[3] == 'p' && end > start
                ? (start, end - start, perms[1] == '-')
                : null;
        }

        return found;
    }

    /// <summary>Releases this process's executable pages (<see cref="Mappings(IEnumerable{string}, string)"/>); returns how many bytes were resident in them before (0 where /proc is missing).</summary>
    public static long Release()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        string image;
        IReadOnlyList<(ulong Start, ulong Length, ImageRelease How)> mappings;
        try
        {
            image = Path.GetFullPath(File.ResolveLinkTarget("/proc/self/exe", returnFinalTarget: true)?.FullName ?? string.Empty);

            // Line by line: smaps is ~100 KB, and read whole it would be a large-object string that stays in the
            // GC heap until the next full collection — after every trim, in a daemon that seldom collects.
            mappings = Mappings(File.ReadLines("/proc/self/smaps"), image);
        }
        catch (IOException)
        {
            return 0;
        }
        catch (UnauthorizedAccessException)
        {
            return 0;
        }

        long before = ResidentFileBytes();
        foreach (var (start, length, how) in mappings)
        {
            if (how == ImageRelease.Unmap)
            {
                // A failure leaves the pages mapped: nothing to undo.
                _ = MAdvise((nint)start, (nuint)length, MadvDontNeed);
            }
        }

        return Math.Max(0, before - ResidentFileBytes());
    }

    /// <summary>The process's resident file-backed memory (RssFile of /proc/self/status), in bytes; 0 if unknown.</summary>
    public static long ResidentFileBytes()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("RssFile:", StringComparison.Ordinal)
                    && long.TryParse(line.AsSpan(8).Trim().TrimEnd("kB").Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var kb))
                {
                    return kb * 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }

    /// <summary>"start-end perms offset dev inode path": a mapping's first line in smaps (its other lines are "Key: value").</summary>
    private static bool IsMappingHeader(string line, out ulong start, out ulong end, out string perms, out string path)
    {
        start = end = 0;
        perms = path = string.Empty;
        var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 5)
        {
            return false;
        }

        var range = fields[0].Split('-');
        if (range.Length != 2
            || !ulong.TryParse(range[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out start)
            || !ulong.TryParse(range[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out end))
        {
            return false;
        }

        perms = fields[1];
        path = fields.Length == 6 ? fields[5].Trim() : string.Empty;
        return true;
    }

    private static bool IsZeroKb(ReadOnlySpan<char> value)
    {
        var number = value.Trim();
        if (number.EndsWith("kB", StringComparison.Ordinal))
        {
            number = number[..^2].Trim();
        }

        return number.SequenceEqual("0");
    }

    [DllImport("libc", EntryPoint = "madvise", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int MAdvise(nint address, nuint length, int advice);
}

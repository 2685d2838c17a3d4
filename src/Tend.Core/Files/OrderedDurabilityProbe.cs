using System.Collections.Concurrent;
using Microsoft.Win32.SafeHandles;

namespace Tend.Core.Files;

/// <summary>
/// Decides, once per device, whether <see cref="FileDurability.Ordered"/> holds there: data written before a rename
/// is on the disk before the rename's journal commit only on ext4 with a journal and on XFS, with write barriers on
/// (the commit then flushes the disk's cache after the data). Anything else, or anything that cannot be told, is a
/// no: the write is flushed as <see cref="FileDurability.Full"/>, the safe side.
/// </summary>
/// <remarks>
/// Reads <c>/proc/fs/jbd2</c> (an ext4 journal shows as <c>&lt;device&gt;-&lt;journal inode&gt;</c>, e.g. <c>sda1-8</c>),
/// <c>/sys/dev/block/M:m</c> (the block device's kernel name, which those entries use) and
/// <c>/proc/self/mountinfo</c> (<c>nobarrier</c>, <c>barrier=0</c>) below the roots it is given, so tests hand it
/// fake trees. The decision is cached by st_dev for the process's life: a remount that turns barriers off
/// afterwards is not seen (an operator doing that should not ask for <c>ordered</c>).
/// </remarks>
internal sealed class OrderedDurabilityProbe(string procRoot, string sysRoot) : IOrderedDurabilityCheck
{
    internal const ulong Ext4Magic = 0xEF53;
    internal const ulong XfsMagic = 0x58465342;

    private readonly ConcurrentDictionary<ulong, DurabilityFallback?> _devices = new();
    private int _decisions;

    /// <summary>The machine's own /proc and /sys.</summary>
    public static OrderedDurabilityProbe Machine { get; } = new("/proc", "/sys");

    /// <summary>How many devices were looked into (for tests: the lookup is not repeated per file).</summary>
    internal int Decisions => Volatile.Read(ref _decisions);

    public DurabilityFallback? Check(SafeFileHandle file)
    {
        if (NativeMethods.Device(file) is not { } dev)
        {
            return new DurabilityFallback("?", "the file's device cannot be read (statx failed)");
        }

        ulong key = ((ulong)dev.Major << 32) | dev.Minor;
        if (_devices.TryGetValue(key, out var known))
        {
            return known;
        }

        // Two first writes to one device may both look; they come to the same answer.
        Interlocked.Increment(ref _decisions);
        return _devices.GetOrAdd(key, Decide(NativeMethods.FileSystemType(file), dev.Major, dev.Minor));
    }

    /// <summary>The decision for a file system of type <paramref name="fsType"/> (statfs' f_type, null when unknown) on device <paramref name="major"/>:<paramref name="minor"/>.</summary>
    internal DurabilityFallback? Decide(ulong? fsType, uint major, uint minor)
    {
        var device = $"{major}:{minor}";
        try
        {
            return Refusal(fsType, device) is { } reason ? new DurabilityFallback(device, reason) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            return new DurabilityFallback(device, $"cannot tell what the file system on {device} does: {ex.Message}");
        }
    }

    /// <summary>Why ordered does not hold on <paramref name="device"/>, or null when it does.</summary>
    private string? Refusal(ulong? fsType, string device)
    {
        if (fsType is not { } type)
        {
            return "the file system's type cannot be read (fstatfs failed)";
        }

        if (type is not (Ext4Magic or XfsMagic))
        {
            return $"the file system is {FileSystemName(type)}";
        }

        var name = BlockDeviceName(device);
        string label;
        if (type == Ext4Magic)
        {
            if (name is null)
            {
                return $"cannot tell whether ext4 on {device} has a journal: {Path.Combine(sysRoot, "dev", "block", device)} names no block device";
            }

            var jbd2 = Path.Combine(procRoot, "fs", "jbd2");
            if (!Directory.Exists(jbd2))
            {
                return $"cannot tell whether ext4 on {name} has a journal: {jbd2} is missing";
            }

            if (!HasJournal(jbd2, name))
            {
                return $"ext4 on {name} has no journal";
            }

            label = $"ext4 on {name}";
        }
        else
        {
            // XFS always has a log; the name is only for the message.
            label = $"XFS on {name ?? device}";
        }

        var mountinfo = Path.Combine(procRoot, "self", "mountinfo");
        return ReadMounts(mountinfo, device) switch
        {
            MountState.Malformed => $"cannot tell how {label} is mounted: {mountinfo} has a line in an unexpected format",
            MountState.Missing => $"cannot tell how {label} is mounted: {mountinfo} has no mount of {device}",
            MountState.NoBarrier => $"{label} is mounted nobarrier",
            _ => null,
        };
    }

    /// <summary>The kernel's name of block device <paramref name="device"/> (<c>sda1</c>, <c>nvme0n1p2</c>, <c>dm-0</c>): the last step of its /sys/dev/block link.</summary>
    private string? BlockDeviceName(string device)
    {
        var target = new FileInfo(Path.Combine(sysRoot, "dev", "block", device)).LinkTarget;
        var name = target is null ? null : Path.GetFileName(target.TrimEnd('/'));
        return string.IsNullOrEmpty(name) || name is "." or ".." ? null : name;
    }

    /// <summary>True when <paramref name="jbd2"/> lists a journal of <paramref name="name"/>: <c>name-N</c>, N its journal's inode (8 unless made otherwise).</summary>
    private static bool HasJournal(string jbd2, string name)
    {
        var prefix = name + "-";
        foreach (var entry in Directory.EnumerateFileSystemEntries(jbd2))
        {
            var file = Path.GetFileName(entry);
            if (file.Length > prefix.Length && file.StartsWith(prefix, StringComparison.Ordinal) && file.AsSpan(prefix.Length).IndexOfAnyExceptInRange('0', '9') < 0)
            {
                return true;
            }
        }

        return false;
    }

    private enum MountState
    {
        Missing,
        Malformed,
        NoBarrier,
        Barriers,
    }

    /// <summary>
    /// Reads every mount of <paramref name="device"/> in mountinfo (<c>id parent M:m root point options [optional…] - type
    /// source super-options</c>): barriers are off when a mount's or the file system's options say <c>nobarrier</c> or
    /// <c>barrier=0</c>. Any line not in that shape makes the whole answer unknown: it may be the one that matters.
    /// </summary>
    private static MountState ReadMounts(string mountinfo, string device)
    {
        if (!File.Exists(mountinfo))
        {
            return MountState.Missing;
        }

        var state = MountState.Missing;
        foreach (var line in File.ReadLines(mountinfo))
        {
            if (line.Length == 0)
            {
                continue;
            }

            var fields = line.Split(' ');
            int separator = Array.IndexOf(fields, "-", Math.Min(6, fields.Length));
            if (fields.Length < 10 || separator < 0 || fields.Length < separator + 4 || !fields[2].Contains(':', StringComparison.Ordinal))
            {
                return MountState.Malformed;
            }

            if (fields[2] != device)
            {
                continue;
            }

            if (BarrierOff(fields[5]) || BarrierOff(fields[separator + 3]))
            {
                state = MountState.NoBarrier;
            }
            else if (state == MountState.Missing)
            {
                state = MountState.Barriers;
            }
        }

        return state;
    }

    private static bool BarrierOff(string options)
    {
        foreach (var option in options.Split(','))
        {
            if (option is "nobarrier" or "barrier=0")
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A name for the file systems an operator is likely to meet; the magic number for the rest.</summary>
    private static string FileSystemName(ulong type) => type switch
    {
        0x9123683E => "btrfs",
        0x2FC12FC1 => "ZFS",
        0x6969 => "NFS",
        0x01021994 => "tmpfs",
        0x858458F6 => "ramfs",
        0x794C7630 => "overlayfs",
        0xF2F52010 => "F2FS",
        0xCA451A4E => "bcachefs",
        0xFF534D42 or 0xFE534D42 => "CIFS/SMB",
        0x65735546 => "FUSE",
        0x00C36400 => "CephFS",
        0x01021997 => "9p",
        0x4D44 => "FAT",
        0x2011BAB0 => "exFAT",
        _ => $"of type 0x{type:x}",
    };
}

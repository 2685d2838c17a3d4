using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Tend.Core.Files;

/// <summary>The few POSIX calls .NET does not expose: chown, stat's owner, fsync of a directory, sync_file_range.</summary>
internal static partial class NativeMethods
{
    private const int ORdOnly = 0;

    // O_PATH is the same on x86-64 and ARM64; O_DIRECTORY is not (0200000 on x86, 040000 on ARM, where 0200000 is O_DIRECT).
    private const int OPath = 0x200000;
    private static readonly int ODirectory = RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x4000 : 0x10000;
    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1, StatxMode = 0x2, StatxUid = 0x8, StatxGid = 0x10, StatxSize = 0x200;
    private const int ENoEnt = 2, ENotDir = 20;
    private const int AtSymlinkNoFollow = 0x100;
    private const int OCloexec = 0x80000, ONonblock = 0x800;

    // O_NOFOLLOW differs between architectures: 0400000 on x86, 0100000 on ARM.
    private static readonly int ONoFollow = RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x8000 : 0x20000;

    [DllImport("libc", SetLastError = true, EntryPoint = "chown")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int ChownNative([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int owner, int group);

    [DllImport("libc", SetLastError = true, EntryPoint = "fchown")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int FchownNative(SafeFileHandle fd, int owner, int group);

    [DllImport("libc", SetLastError = true, EntryPoint = "open")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int OpenNative([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true, EntryPoint = "fsync")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int FsyncNative(int fd);

    [DllImport("libc", SetLastError = true, EntryPoint = "fchmod")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int FchmodNative(SafeFileHandle fd, int mode);

    [DllImport("libc", SetLastError = true, EntryPoint = "fsync")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int FsyncHandleNative(SafeFileHandle fd);

    [DllImport("libc", SetLastError = true, EntryPoint = "fdatasync")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int FdatasyncHandleNative(SafeFileHandle fd);

    [DllImport("libc", SetLastError = true, EntryPoint = "sync_file_range")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SyncFileRangeNative(SafeFileHandle fd, long offset, long nbytes, uint flags);

    [DllImport("libc", SetLastError = true, EntryPoint = "close")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int CloseNative(int fd);

    [DllImport("libc", SetLastError = true, EntryPoint = "statx")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int StatxNative(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, out StatxBuffer buffer);

    [DllImport("libc", EntryPoint = "geteuid")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int GetEuidNative();

    [DllImport("libc", EntryPoint = "getegid")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int GetEgidNative();

    public static int EffectiveUid => GetEuidNative();

    public static int EffectiveGid => GetEgidNative();

    /// <summary>chown(2); -1 leaves that id unchanged.</summary>
    public static void Chown(string path, int uid, int gid)
    {
        if (ChownNative(path, uid, gid) != 0)
        {
            throw new IOException($"chown {uid}:{gid} {path} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>fchown(2) of an open file.</summary>
    public static void Chown(SafeFileHandle handle, string path, int uid, int gid)
    {
        if (FchownNative(handle, uid, gid) != 0)
        {
            throw new IOException($"chown {uid}:{gid} {path} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>fchmod(2) of an open file: unlike .NET's setter, it sets setuid, setgid and sticky bits too, and never follows a path.</summary>
    public static void Chmod(SafeFileHandle handle, string path, UnixFileMode mode)
    {
        if (FchmodNative(handle, (int)mode) != 0)
        {
            throw new IOException($"chmod {Convert.ToString((int)mode, 8)} {path} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Opens <paramref name="path"/> for reading without following a symlink at its last component (ELOOP then).</summary>
    public static SafeFileHandle OpenReadNoFollow(string path)
    {
        // O_NONBLOCK: a FIFO swapped in after a stat must not block the open; a regular file ignores it.
        int fd = OpenNative(path, ORdOnly | ONoFollow | OCloexec | ONonblock);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno is ENoEnt or ENotDir)
            {
                throw new FileNotFoundException($"{path}: no such file", path);
            }

            throw new IOException($"open {path} failed: errno {errno}{(errno == 40 ? " (it is a symbolic link)" : string.Empty)}");
        }

        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>
    /// A handle on the entry at <paramref name="path"/> itself (a link is not followed), which keeps that inode alive
    /// after its name is gone: opened for reading when it is a regular file this process can read (O_NONBLOCK, so a
    /// FIFO swapped in meanwhile cannot block), otherwise with O_PATH, which reads nothing and opens no device.
    /// Null when there is no such entry.
    /// </summary>
    public static SafeFileHandle? OpenEntry(string path, bool regularFile, out bool readable)
    {
        readable = false;
        if (regularFile)
        {
            int rd = OpenNative(path, ORdOnly | ONoFollow | OCloexec | ONonblock);
            if (rd >= 0)
            {
                readable = true;
                return new SafeFileHandle(rd, ownsHandle: true);
            }
        }

        int fd = OpenNative(path, OPath | ONoFollow | OCloexec);
        return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>fsync(2) and fdatasync(2) calls made on this thread (files and directories): what tests of the durability setting observe.</summary>
    [ThreadStatic]
    private static int t_syncs;

    /// <summary>The number of fsync/fdatasync calls this thread has made.</summary>
    internal static int SyncsOnThisThread => t_syncs;

    /// <summary>sync_file_range(2) calls made on this thread.</summary>
    [ThreadStatic]
    private static int t_dataWrites;

    /// <summary>The number of sync_file_range calls this thread has made.</summary>
    internal static int DataWritesOnThisThread => t_dataWrites;

    private const uint SyncFileRangeWaitBefore = 1, SyncFileRangeWrite = 2, SyncFileRangeWaitAfter = 4;
    private const int EInval = 22, ENoSys = 38, ESPipe = 29, EOpNotSupp = 95;

    /// <summary>
    /// Writes the file's dirty pages and waits until the device has them (sync_file_range with WAIT_BEFORE,
    /// WRITE and WAIT_AFTER): the data, not a journal commit and not the device's cache flush. False when the
    /// file system does not support it (the caller falls back to fsync).
    /// </summary>
    /// <exception cref="IOException">The write-back failed (an I/O error).</exception>
    public static bool WriteDataAndWait(SafeFileHandle handle, string path)
    {
        t_dataWrites++;
        FileFlushTrace.Note(FileFlushStep.DataWrite, path);
        if (SyncFileRangeNative(handle, 0, 0, SyncFileRangeWaitBefore | SyncFileRangeWrite | SyncFileRangeWaitAfter) == 0)
        {
            return true;
        }

        int errno = Marshal.GetLastPInvokeError();
        return errno is EInval or ENoSys or ESPipe or EOpNotSupp
            ? false
            : throw new IOException($"sync_file_range {path} failed: errno {errno}");
    }

    /// <summary>fsync(2), or fdatasync(2) when only the data and what is needed to read it back must reach the disk.</summary>
    public static void Sync(SafeFileHandle handle, string path, bool dataOnly)
    {
        t_syncs++;
        FileFlushTrace.Note(FileFlushStep.Sync, path);
        if ((dataOnly ? FdatasyncHandleNative(handle) : FsyncHandleNative(handle)) != 0)
        {
            throw new IOException($"{(dataOnly ? "fdatasync" : "fsync")} {path} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>
    /// One statx(2) of <paramref name="path"/> (following links) for what comparing and replacing a
    /// file needs; <c>null</c> when it does not exist. statx has the same layout on every
    /// architecture, unlike struct stat, which is why it is used rather than stat(2).
    /// </summary>
    public static FileStat? Stat(string path) => Stat(path, followLinks: true);

    /// <summary>As <see cref="Stat(string)"/>; with <paramref name="followLinks"/> false a symlink describes itself (lstat).</summary>
    public static FileStat? Stat(string path, bool followLinks)
    {
        if (StatxNative(AtFdCwd, path, followLinks ? 0 : AtSymlinkNoFollow, StatxType | StatxMode | StatxUid | StatxGid | StatxSize, out var b) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno is ENoEnt or ENotDir)
            {
                return null;
            }

            throw new IOException($"stat {path} failed: errno {errno}");
        }

        return new FileStat((long)b.Size, (UnixFileMode)(b.Mode & 0xFFF), (b.Mode & 0xF000) == 0x8000, (int)b.Uid, (int)b.Gid, (b.Mode & 0xF000) == 0xA000);
    }

    /// <summary>Flushes a directory entry (a rename) to disk, so a crash cannot resurrect the old file.</summary>
    public static void FsyncDirectory(string directory)
    {
        int fd = OpenNative(directory, ORdOnly | ODirectory);
        if (fd < 0)
        {
            return;
        }

        try
        {
            t_syncs++;
            FileFlushTrace.Note(FileFlushStep.DirectorySync, directory);
            FsyncNative(fd);
        }
        finally
        {
            CloseNative(fd);
        }
    }

    /// <summary>What <see cref="Stat(string, bool)"/> returns.</summary>
    internal readonly record struct FileStat(long Size, UnixFileMode Mode, bool IsRegular, int Uid, int Gid, bool IsSymlink = false);

    /// <summary>struct statx: only the fields Tend reads (owner, mode, size; the file system's device); the kernel fills 256 bytes.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(20)]
        public uint Uid;

        [FieldOffset(24)]
        public uint Gid;

        [FieldOffset(28)]
        public ushort Mode;

        [FieldOffset(40)]
        public ulong Size;

        // stx_dev_major, stx_dev_minor: filled whatever the mask asks for.
        [FieldOffset(136)]
        public uint DevMajor;

        [FieldOffset(140)]
        public uint DevMinor;
    }
}

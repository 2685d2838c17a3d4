using System.Runtime.InteropServices;

namespace Tend.Core.Files;

/// <summary>The few POSIX calls .NET does not expose: chown, stat's owner, and fsync of a directory.</summary>
internal static partial class NativeMethods
{
    private const int ORdOnly = 0;
    private const int ODirectory = 0x10000;

    [DllImport("libc", SetLastError = true, EntryPoint = "chown")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int ChownNative([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int owner, int group);

    [DllImport("libc", SetLastError = true, EntryPoint = "open")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int OpenNative([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true, EntryPoint = "fsync")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int FsyncNative(int fd);

    [DllImport("libc", SetLastError = true, EntryPoint = "close")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int CloseNative(int fd);

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
            FsyncNative(fd);
        }
        finally
        {
            CloseNative(fd);
        }
    }
}

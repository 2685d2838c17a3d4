using System.Runtime.InteropServices;

namespace Tend.Modules.Hooks;

/// <summary>The POSIX calls the hooks need and .NET does not expose: kill(2) with a signal of our choice, chown(2).</summary>
internal static class HooksNativeMethods
{
    /// <summary>kill(2); the errno is in <see cref="Marshal.GetLastPInvokeError"/>.</summary>
    public static int Kill(int pid, int signal) => KillNative(pid, signal);

    /// <summary>chown(2).</summary>
    /// <exception cref="IOException">It failed.</exception>
    public static void Chown(string path, int uid, int gid)
    {
        if (ChownNative(path, uid, gid) != 0)
        {
            throw new IOException($"chown {uid}:{gid} {path} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [DllImport("libc", SetLastError = true, EntryPoint = "kill")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int KillNative(int pid, int signal);

    [DllImport("libc", SetLastError = true, EntryPoint = "chown")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int ChownNative([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int owner, int group);
}

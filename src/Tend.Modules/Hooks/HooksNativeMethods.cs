using System.Runtime.InteropServices;

namespace Tend.Modules.Hooks;

/// <summary>The POSIX calls the hooks need and .NET does not expose: kill(2) with a signal of our choice.</summary>
internal static class HooksNativeMethods
{
    /// <summary>kill(2); the errno is in <see cref="Marshal.GetLastPInvokeError"/>.</summary>
    public static int Kill(int pid, int signal) => KillNative(pid, signal);

    [DllImport("libc", SetLastError = true, EntryPoint = "kill")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int KillNative(int pid, int signal);
}

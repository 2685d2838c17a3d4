using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Tend.Core.Files;

/// <summary>What an open file says about the file system it lives on: its device and the file system's type.</summary>
internal static partial class NativeMethods
{
    private const int AtEmptyPath = 0x1000;

    [DllImport("libc", SetLastError = true, EntryPoint = "statx")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int StatxHandleNative(SafeFileHandle fd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, out StatxBuffer buffer);

    [DllImport("libc", SetLastError = true, EntryPoint = "fstatfs")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int FstatfsNative(SafeFileHandle fd, out StatfsBuffer buffer);

    /// <summary>The device (st_dev as major and minor) holding the open file; null when statx fails.</summary>
    public static (uint Major, uint Minor)? Device(SafeFileHandle handle)
    {
        // The device numbers are filled whatever the mask asks for.
        return StatxHandleNative(handle, string.Empty, AtEmptyPath, StatxType, out var b) == 0 ? (b.DevMajor, b.DevMinor) : null;
    }

    /// <summary>The file system's magic number (statfs' f_type) for the open file; null when fstatfs fails.</summary>
    public static ulong? FileSystemType(SafeFileHandle handle)
    {
        if (FstatfsNative(handle, out var b) != 0)
        {
            return null;
        }

        // f_type is the first field: a long on 64-bit Linux, an int on 32-bit; the magic numbers fit in 32 bits.
        return IntPtr.Size == 8 ? b.Type64 & 0xFFFF_FFFF : b.Type32;
    }

    /// <summary>struct statfs: only f_type; 120 bytes on 64-bit Linux, read into more to be safe.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatfsBuffer
    {
        [FieldOffset(0)]
        public ulong Type64;

        [FieldOffset(0)]
        public uint Type32;
    }
}

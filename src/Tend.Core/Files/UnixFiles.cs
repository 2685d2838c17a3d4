namespace Tend.Core.Files;

/// <summary>File questions and calls .NET does not offer on Unix: file types (it reports pipes and sockets as ordinary files), owners.</summary>
public static class UnixFiles
{
    /// <summary>True when <paramref name="path"/> (following symlinks) is a regular file or does not exist.</summary>
    public static bool IsRegularOrMissing(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return NativeMethods.Stat(path) is not { } st || st.IsRegular;
    }

    /// <summary>The target of <paramref name="path"/> when it is itself a symbolic link, else <c>null</c>.</summary>
    public static string? SymlinkTarget(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>chown(2) of <paramref name="path"/> (following symlinks); -1 leaves that id unchanged.</summary>
    /// <exception cref="IOException">The call failed (the message carries the errno).</exception>
    public static void Chown(string path, int uid, int gid)
    {
        ArgumentNullException.ThrowIfNull(path);
        NativeMethods.Chown(path, uid, gid);
    }
}

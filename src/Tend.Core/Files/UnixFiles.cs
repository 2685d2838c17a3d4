namespace Tend.Core.Files;

/// <summary>File-type questions .NET does not answer on Unix (it reports pipes and sockets as ordinary files).</summary>
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
}

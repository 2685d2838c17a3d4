namespace Tend.Core.Config;

/// <summary>Reading the files a configuration is made of, with a read failure reported like any other configuration error.</summary>
public static class ConfigFiles
{
    /// <summary>
    /// The text of <paramref name="path"/>; a file that cannot be read (missing, a directory, no permission) is a
    /// <see cref="ConfigException"/> naming it: <c>cannot read the configuration: …</c> for <paramref name="what"/>
    /// "the configuration", <c>cannot read: …</c> without it.
    /// </summary>
    public static string ReadAllText(string path, string? what = null)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            string reason = what is null ? $"cannot read: {ex.Message}" : $"cannot read {what}: {ex.Message}";
            throw new ConfigException(path, 0, 0, reason, ex);
        }
    }
}

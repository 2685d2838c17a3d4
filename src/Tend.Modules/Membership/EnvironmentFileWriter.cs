using System.Text;
using Tend.Core.Files;

namespace Tend.Modules.Membership;

/// <summary>Writes the environment file atomically (temp file beside it, fsync, rename), and only when its content or mode differs.</summary>
internal static class EnvironmentFileWriter
{
    /// <summary>Writes <paramref name="environment"/> to <paramref name="path"/>; false when the file already says exactly that.</summary>
    /// <exception cref="IOException">The file or its directory cannot be written.</exception>
    /// <exception cref="UnauthorizedAccessException">No permission.</exception>
    public static bool Write(string path, EtcdEnvironment environment, UnixFileMode mode)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var bytes = Encoding.UTF8.GetBytes(environment.Render());
        var ownership = new FileOwnership(mode);
        if (AtomicFile.IsUpToDate(path, bytes, ownership))
        {
            return false;
        }

        AtomicFile.Write(path, bytes, ownership, createDirectories: true);
        return true;
    }

    /// <summary>The <c>ETCD_INITIAL_CLUSTER_STATE</c> the file at <paramref name="path"/> holds, or <c>null</c> (no file, no such line).</summary>
    public static string? ReadState(string path)
    {
        try
        {
            return Read(File.ReadAllText(path)).GetValueOrDefault("ETCD_INITIAL_CLUSTER_STATE");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Reads <c>KEY=value</c> lines as systemd's <c>EnvironmentFile=</c> does for the lines Tend writes: comments skipped, one pair of quotes stripped.</summary>
    public static Dictionary<string, string> Read(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }

            var value = line[(eq + 1)..].Trim();
            if (value.Length >= 2 && value[0] is '"' or '\'' && value[^1] == value[0])
            {
                value = value[1..^1];
            }

            values[line[..eq].Trim()] = value;
        }

        return values;
    }
}

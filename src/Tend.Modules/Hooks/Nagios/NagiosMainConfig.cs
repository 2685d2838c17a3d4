using System.Text;

namespace Tend.Modules.Hooks.Nagios;

/// <summary>
/// Builds the staged copy of a Nagios main configuration that <c>check_cmd</c>'s <c>{{.config}}</c>
/// names: the same file, but every generated file it reads — listed by <c>cfg_file</c>, or found in a
/// <c>cfg_dir</c> — is replaced by its staged copy, so <c>nagios -v</c> checks the new files together
/// with everything else Nagios would load, while the installed tree stays untouched. Paths are made
/// absolute (Nagios reads relative ones from the main configuration's directory, and the copy lives
/// elsewhere). A <c>cfg_dir</c> holding a generated file is expanded into <c>cfg_file</c> lines the way
/// Nagios walks it: recursively, names ending in <c>.cfg</c>, hidden entries skipped.
/// </summary>
internal static class NagiosMainConfig
{
    private static readonly HashSet<string> PathDirectives = new(StringComparer.Ordinal) { "cfg_file", "cfg_dir", "resource_file" };

    /// <summary>The staged main configuration's text.</summary>
    /// <param name="text">The main configuration.</param>
    /// <param name="directory">The main configuration's directory (for relative paths).</param>
    /// <param name="substitutes">Full path of each installed file → the staged file to read instead.</param>
    /// <param name="used">Receives the installed paths the configuration actually reads.</param>
    public static string Stage(string text, string directory, IReadOnlyDictionary<string, string> substitutes, ISet<string> used)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(substitutes);
        ArgumentNullException.ThrowIfNull(used);
        var output = new StringBuilder(text.Length + 256);
        var lines = text.Split('\n');
        int count = lines.Length > 0 && lines[^1].Length == 0 ? lines.Length - 1 : lines.Length;
        foreach (var raw in lines.Take(count))
        {
            var line = raw.TrimEnd('\r');
            var trimmed = line.Trim();
            int eq = trimmed.IndexOf('=', StringComparison.Ordinal);
            if (trimmed.Length == 0 || trimmed[0] is '#' or ';' || eq <= 0)
            {
                output.Append(line).Append('\n');
                continue;
            }

            var name = trimmed[..eq].Trim();
            var value = trimmed[(eq + 1)..].Trim();
            if (!PathDirectives.Contains(name) || value.Length == 0)
            {
                output.Append(line).Append('\n');
                continue;
            }

            var full = Path.GetFullPath(value, directory);
            switch (name)
            {
                case "cfg_file":
                    if (substitutes.TryGetValue(full, out var staged))
                    {
                        used.Add(full);
                        full = staged;
                    }

                    output.Append("cfg_file=").Append(full).Append('\n');
                    break;
                case "cfg_dir" when substitutes.Keys.Any(s => IsBelow(s, full)):
                    output.Append("# cfg_dir=").Append(full).Append(", expanded by Tend to read the staged files\n");
                    foreach (var file in ConfigFiles(full, substitutes, used))
                    {
                        output.Append("cfg_file=").Append(file).Append('\n');
                    }

                    break;
                default:
                    output.Append(name).Append('=').Append(full).Append('\n');
                    break;
            }
        }

        return output.ToString();
    }

    private static bool IsBelow(string file, string directory)
    {
        var dir = directory.EndsWith('/') ? directory : directory + "/";
        return file.StartsWith(dir, StringComparison.Ordinal);
    }

    /// <summary>The files Nagios reads from <paramref name="directory"/>, sorted, with staged copies in place of the generated files.</summary>
    private static List<string> ConfigFiles(string directory, IReadOnlyDictionary<string, string> substitutes, ISet<string> used)
    {
        var files = new SortedSet<string>(StringComparer.Ordinal);
        Walk(directory, files);

        // A generated file that does not exist yet is read from the directory once it is installed.
        foreach (var dest in substitutes.Keys)
        {
            if (IsBelow(dest, directory) && dest.EndsWith(".cfg", StringComparison.Ordinal) && !HiddenBelow(dest, directory))
            {
                files.Add(dest);
            }
        }

        var list = new List<string>(files.Count);
        foreach (var f in files)
        {
            if (substitutes.TryGetValue(f, out var staged))
            {
                used.Add(f);
                list.Add(staged);
            }
            else
            {
                list.Add(f);
            }
        }

        return list;
    }

    private static void Walk(string directory, SortedSet<string> files)
    {
        IEnumerable<string> entries;
        try
        {
            entries = Directory.EnumerateFileSystemEntries(directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Nagios reports an unreadable directory itself when the check runs.
            return;
        }

        foreach (var entry in entries)
        {
            var name = Path.GetFileName(entry);
            if (name.StartsWith('.'))
            {
                continue;
            }

            if (Directory.Exists(entry))
            {
                Walk(entry, files);
            }
            else if (name.EndsWith(".cfg", StringComparison.Ordinal))
            {
                files.Add(entry);
            }
        }
    }

    private static bool HiddenBelow(string file, string directory) =>
        file[(directory.TrimEnd('/').Length + 1)..].Split('/').Any(part => part.StartsWith('.'));
}

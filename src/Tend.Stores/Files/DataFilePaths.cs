namespace Tend.Stores.Files;

/// <summary>
/// The data files behind the store's paths: a file is itself; a directory (confd's <c>-file DIR</c>)
/// is every YAML or JSON file below it, walked as Go's <c>filepath.Walk</c> does (each directory's
/// entries in byte order of their names, a subdirectory's files where its name falls), so the merge
/// order — later files win — is stable and the same as confd's. Symbolic links to directories are
/// not descended (a link cycle would never end); links to files are read.
/// </summary>
internal static class DataFilePaths
{
    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    /// <summary>The files to read, in merge order.</summary>
    /// <exception cref="Tend.Core.Kv.KvStoreException">A directory cannot be listed.</exception>
    public static List<string> Expand(IReadOnlyList<string> paths)
    {
        var result = new List<string>(paths.Count);
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                Walk(path, result);
            }
            else
            {
                result.Add(path);
            }
        }

        return result;
    }

    /// <summary>Whether a file name is a data file of a directory (<c>.yaml</c>, <c>.yml</c>, <c>.json</c>).</summary>
    public static bool IsDataFile(string name) =>
        Extensions.Any(e => name.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    private static void Walk(string dir, List<string> result)
    {
        string[] entries;
        try
        {
            entries = Directory.GetFileSystemEntries(dir);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new Tend.Core.Kv.KvStoreException($"{dir}: cannot list data directory: {ex.Message}", ex);
        }

        // Entries share the directory's path, so ordering full paths orders the names.
        Array.Sort(entries, StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var info = new DirectoryInfo(entry);
            if (info.Exists)
            {
                if (info.LinkTarget is null)
                {
                    Walk(entry, result);
                }
            }
            else if (IsDataFile(entry))
            {
                result.Add(entry);
            }
        }
    }
}

using System.Globalization;
using Tend.Core.Kv;

namespace Tend.Stores.Files;

/// <summary>
/// One load of the data files: the limits, the key budget all files share, and the keys skipped
/// because they are not clean paths (reported by the store, never silently dropped).
/// </summary>
internal sealed class DataFileLoad(DataFileLimits limits, FileStoreValues values = FileStoreValues.AsWritten)
{
    public DataFileLimits Limits { get; } = limits;

    /// <summary>How scalars become values.</summary>
    public FileStoreValues Values { get; } = values;

    /// <summary>Keys produced so far, counting those copied by aliases and those under skipped keys.</summary>
    public int Keys { get; private set; }

    /// <summary>Map keys that are not clean paths, as (raw key, reason with file and line).</summary>
    public List<(string Key, string Reason)> Skipped { get; } = [];

    /// <summary>Counts <paramref name="n"/> more keys.</summary>
    /// <exception cref="FileStoreFormatException">Past <see cref="DataFileLimits.MaxKeys"/>; names the file and line where it happened.</exception>
    public void Count(string file, long line, int n = 1)
    {
        if (n > Limits.MaxKeys - Keys)
        {
            throw new FileStoreFormatException(
                $"{(line > 0 ? $"{file}:{line}" : file)}: the data files hold more than {Limits.MaxKeys.ToString("N0", CultureInfo.InvariantCulture)} keys (max_keys in [store]); the file is not loaded");
        }

        Keys += n;
    }

    public void Skip(string rawKey, string reason) => Skipped.Add((rawKey, reason));
}

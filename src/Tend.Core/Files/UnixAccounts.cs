using System.Globalization;

namespace Tend.Core.Files;

/// <summary>
/// Looks up user and group ids by name in <c>/etc/passwd</c> and <c>/etc/group</c> (confd's
/// <c>owner</c>/<c>group</c> and tend.toml's <c>owner</c>/<c>group</c>). Names that are numbers are ids.
/// </summary>
public static class UnixAccounts
{
    /// <summary>The uid of user <paramref name="name"/>.</summary>
    public static bool TryGetUid(string name, out int uid) => TryLookup("/etc/passwd", name, out uid);

    /// <summary>The gid of group <paramref name="name"/>.</summary>
    public static bool TryGetGid(string name, out int gid) => TryLookup("/etc/group", name, out gid);

    private static bool TryLookup(string file, string name, out int id)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out id))
        {
            return true;
        }

        if (!File.Exists(file))
        {
            return false;
        }

        // name:password:id:... — the same layout in both files.
        foreach (var line in File.ReadLines(file))
        {
            var fields = line.Split(':');
            if (fields.Length >= 3 && string.Equals(fields[0], name, StringComparison.Ordinal)
                && int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out id))
            {
                return true;
            }
        }

        id = -1;
        return false;
    }
}

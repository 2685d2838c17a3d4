using System.Net;

namespace Tend.Core.Dns;

/// <summary>
/// The static table of <c>/etc/hosts</c> (hosts(5)), consulted before DNS as the C library's "files dns" order
/// does. Read again when the file changes; a file that cannot be read is an empty table.
/// </summary>
internal sealed class HostsFile
{
    private readonly string _path;
    private readonly Lock _gate = new();
    private DateTime _readAt = DateTime.MinValue;
    private Dictionary<string, List<IPAddress>> _table = new(StringComparer.OrdinalIgnoreCase);

    public HostsFile(string path)
    {
        _path = path;
    }

    /// <summary>The addresses the file gives <paramref name="name"/>, in file order; empty when it names none.</summary>
    public IReadOnlyList<IPAddress> Lookup(string name)
    {
        var table = Current();
        return table.TryGetValue(name.TrimEnd('.'), out var addresses) ? addresses : [];
    }

    internal static Dictionary<string, List<IPAddress>> Parse(IEnumerable<string> lines)
    {
        var table = new Dictionary<string, List<IPAddress>>(StringComparer.OrdinalIgnoreCase);
        foreach (var raw in lines)
        {
            int hash = raw.IndexOf('#', StringComparison.Ordinal);
            var parts = (hash >= 0 ? raw[..hash] : raw).Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 2 || !IPAddress.TryParse(parts[0].Split('%')[0], out var address))
            {
                continue;
            }

            foreach (var name in parts.Skip(1))
            {
                if (!table.TryGetValue(name.TrimEnd('.'), out var list))
                {
                    table[name.TrimEnd('.')] = list = [];
                }

                if (!list.Contains(address))
                {
                    list.Add(address);
                }
            }
        }

        return table;
    }

    private Dictionary<string, List<IPAddress>> Current()
    {
        DateTime written;
        try
        {
            written = File.GetLastWriteTimeUtc(_path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }

        lock (_gate)
        {
            if (written != _readAt)
            {
                try
                {
                    _table = File.Exists(_path) ? Parse(File.ReadLines(_path)) : new(StringComparer.OrdinalIgnoreCase);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    _table = new(StringComparer.OrdinalIgnoreCase);
                }

                _readAt = written;
            }

            return _table;
        }
    }
}

using System.Text.RegularExpressions;
using Tend.Core.Kv;

namespace Tend.Modules.Hooks.Inventory;

/// <summary>
/// The etcdhooks host inventory: keys <c>ROOT/&lt;type&gt;/&lt;ordinal&gt;</c> whose values are host
/// states, named by a pattern (default <c>site-web-800</c> for <c>/site/web/800</c>). Keys of any other
/// depth are not hosts: they are reported, never a crash (the original daemon died on them), and never
/// written or deleted. The root key itself holds the inventory's guard (<see cref="InventoryGuard"/>).
/// </summary>
public sealed partial class HostInventory
{
    /// <summary>The longest state accepted from the HTTP API.</summary>
    public const int MaxStateLength = 256;

    private readonly Regex _nameRegex;
    private readonly string[] _nameParts;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, HostEntry> _entries = new(StringComparer.Ordinal);

    /// <summary>Creates the inventory for <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentException">The pattern lacks <c>{type}</c> or <c>{ordinal}</c>, or the root is <c>/</c>.</exception>
    public HostInventory(HostInventoryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Root = KeyPath.Normalize(options.Root);
        if (Root == KeyPath.Root)
        {
            throw new ArgumentException("the host root cannot be / (hosts are ROOT/<type>/<ordinal>)", nameof(options));
        }

        Pattern = options.HostName;
        if (!Pattern.Contains("{type}", StringComparison.Ordinal) || !Pattern.Contains("{ordinal}", StringComparison.Ordinal))
        {
            throw new ArgumentException($"host_name \"{Pattern}\" must contain {{type}} and {{ordinal}}", nameof(options));
        }

        var rootName = KeyPath.Name(Root);
        var regex = Regex.Escape(Pattern)
            .Replace(Regex.Escape("{root}"), Regex.Escape(rootName), StringComparison.Ordinal)
            .Replace(Regex.Escape("{type}"), "(?<type>[A-Za-z0-9_]+)", StringComparison.Ordinal)
            .Replace(Regex.Escape("{ordinal}"), "(?<ordinal>[A-Za-z0-9_]+)", StringComparison.Ordinal);
        _nameRegex = new Regex("^" + regex + "$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        RootName = rootName;

        // The pattern split once at {type} and {ordinal}, so naming a host is one concatenation
        // (the inventory names every host for each /getall and each Nagios pass).
        var withRoot = Pattern.Replace("{root}", rootName, StringComparison.Ordinal);
        _nameParts = PlaceholderRegex().Split(withRoot);
    }


    /// <summary>The normalised root.</summary>
    public string Root { get; }

    /// <summary>The root's last segment (<c>{root}</c> in the pattern).</summary>
    public string RootName { get; }

    /// <summary>The host-name pattern.</summary>
    public string Pattern { get; }

    /// <summary>The host name of a type and ordinal.</summary>
    public string NameOf(string type, string ordinal)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(ordinal);
        if (_nameParts.Length == 5 && _nameParts[1] == "type" && _nameParts[3] == "ordinal")
        {
            return string.Concat(_nameParts[0], type, _nameParts[2], ordinal, _nameParts[4]);
        }

        // Split keeps the captured placeholder names at the odd positions.
        var name = new System.Text.StringBuilder();
        for (int i = 0; i < _nameParts.Length; i++)
        {
            name.Append((i % 2) == 0 ? _nameParts[i] : _nameParts[i] == "type" ? type : ordinal);
        }

        return name.ToString();
    }

    /// <summary>The store key of a type and ordinal.</summary>
    public string KeyOf(string type, string ordinal) => $"{Root}/{type}/{ordinal}";

    /// <summary>Maps a host name back to its type and ordinal; false when the name does not fit the pattern.</summary>
    public bool TryParseName(string name, out string type, out string ordinal)
    {
        var m = _nameRegex.Match(name);
        type = m.Success ? m.Groups["type"].Value : string.Empty;
        ordinal = m.Success ? m.Groups["ordinal"].Value : string.Empty;
        return m.Success;
    }

    /// <summary>Maps a store key to its type and ordinal; false when the key is not <c>ROOT/&lt;type&gt;/&lt;ordinal&gt;</c>.</summary>
    public bool TryParseKey(string key, out string type, out string ordinal)
    {
        ArgumentNullException.ThrowIfNull(key);
        type = ordinal = string.Empty;
        if (key.Length <= Root.Length + 1 || !key.StartsWith(Root, StringComparison.Ordinal) || key[Root.Length] != '/')
        {
            return false;
        }

        var rest = key.AsSpan(Root.Length + 1);
        int slash = rest.IndexOf('/');
        if (slash <= 0 || !IsSegment(rest[..slash]) || !IsSegment(rest[(slash + 1)..]))
        {
            return false;
        }

        type = rest[..slash].ToString();
        ordinal = rest[(slash + 1)..].ToString();
        return true;
    }

    private static bool IsSegment(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty)
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The hosts in <paramref name="snapshot"/>, sorted by name, and the keys under the root that are not hosts.</summary>
    public (IReadOnlyList<HostEntry> Hosts, IReadOnlyList<string> Ignored) Read(KvSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var pairs = snapshot.Under(Root);
        var hosts = new List<HostEntry>(pairs.Count);
        var ignored = new List<string>();
        foreach (var pair in pairs)
        {
            if (pair.Key.Length == Root.Length)
            {
                // The root key itself is the inventory's guard (see HostInventoryWriter), not a host.
                continue;
            }

            // Entries are remembered per key: a key's name never changes, and between two reads
            // most states do not either, so a read of an unchanged host allocates nothing.
            if (_entries.TryGetValue(pair.Key, out var known))
            {
                if (!string.Equals(known.State, pair.Value, StringComparison.Ordinal))
                {
                    known = known with { State = pair.Value };
                    _entries[pair.Key] = known;
                }

                hosts.Add(known);
            }
            else if (TryParseKey(pair.Key, out var type, out var ordinal))
            {
                var entry = new HostEntry(NameOf(type, ordinal), type, ordinal, pair.Value, pair.Key);
                _entries[pair.Key] = entry;
                hosts.Add(entry);
            }
            else
            {
                ignored.Add(pair.Key);
            }
        }

        if (_entries.Count > (2 * hosts.Count) + 1024)
        {
            // Deleted hosts are forgotten in bulk; the next read refills the cache.
            _entries.Clear();
        }

        // Keys arrive sorted, and with the usual patterns the names follow the same order: check first, sort only if not.
        for (int i = 1; i < hosts.Count; i++)
        {
            if (string.CompareOrdinal(hosts[i - 1].Name, hosts[i].Name) > 0)
            {
                hosts.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
                break;
            }
        }

        return (hosts, ignored);
    }

    /// <summary>Checks a state value: 1 to <see cref="MaxStateLength"/> printable characters.</summary>
    public static void ValidateState(string host, string state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Length is 0 or > MaxStateLength)
        {
            throw new ArgumentException($"host \"{host}\": the state must be 1 to {MaxStateLength} characters");
        }

        if (state.Any(char.IsControl))
        {
            throw new ArgumentException($"host \"{host}\": the state contains a control character");
        }
    }

    [GeneratedRegex(@"\{(type|ordinal)\}", RegexOptions.CultureInvariant)]
    private static partial Regex PlaceholderRegex();
}

using Tend.Core.Kv;

namespace Tend.Modules.Hooks.Inventory;

/// <summary>What a write of the inventory needs: validated input and the smallest set of operations.</summary>
public sealed partial class HostInventory
{
    /// <summary>
    /// Validates a whole inventory (host name → state) and maps it to store keys (key → state).
    /// Linear in the number of hosts; checks <paramref name="cancellationToken"/> as it goes.
    /// </summary>
    /// <exception cref="ArgumentException">A name does not fit the pattern, a name repeats, or a state is invalid; the message names the host.</exception>
    public Dictionary<string, string> ToKeys(IReadOnlyCollection<KeyValuePair<string, string>> hosts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        var keys = new Dictionary<string, string>(hosts.Count, StringComparer.Ordinal);
        int n = 0;
        foreach (var (name, state) in hosts)
        {
            if ((++n & 1023) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (!TryParseName(name, out var type, out var ordinal))
            {
                throw new ArgumentException($"host \"{name}\" does not match the host-name pattern \"{Pattern}\"");
            }

            ValidateState(name, state);
            if (!keys.TryAdd(KeyOf(type, ordinal), state))
            {
                throw new ArgumentException($"host \"{name}\" appears twice");
            }
        }

        return keys;
    }

    /// <summary>
    /// The operations that make the hosts under the root exactly <paramref name="wanted"/> (key → state),
    /// given the <paramref name="current"/> tree: a delete per host that goes, a put per host that is new
    /// or whose state changes, nothing for the rest. Keys under the root that are not hosts are left
    /// alone. Sorted by key; O(n log n) for n hosts (one pass over the tree, one sort).
    /// </summary>
    public List<KvOperation> PlanReplace(KvSnapshot current, IReadOnlyDictionary<string, string> wanted, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(wanted);
        var ops = new List<KvOperation>();
        var existing = new HashSet<string>(StringComparer.Ordinal);
        int n = 0;
        foreach (var pair in current.Under(Root))
        {
            if ((++n & 1023) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (!TryParseKey(pair.Key, out _, out _))
            {
                continue;
            }

            existing.Add(pair.Key);
            if (!wanted.TryGetValue(pair.Key, out var state))
            {
                ops.Add(KvOperation.Delete(pair.Key));
            }
            else if (!string.Equals(state, pair.Value, StringComparison.Ordinal))
            {
                ops.Add(KvOperation.Put(pair.Key, state));
            }
        }

        foreach (var (key, state) in wanted)
        {
            if ((++n & 1023) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (!existing.Contains(key))
            {
                ops.Add(KvOperation.Put(key, state));
            }
        }

        ops.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return ops;
    }

    /// <summary>Puts of the hosts in <paramref name="hosts"/> (key → state) whose state differs from <paramref name="current"/>'s.</summary>
    public List<KvOperation> PlanPut(KvSnapshot current, IEnumerable<KeyValuePair<string, string>> hosts)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(hosts);
        return [.. hosts.Where(h => current.Get(h.Key)?.Value != h.Value).Select(h => KvOperation.Put(h.Key, h.Value))];
    }

    /// <summary>Deletes of the hosts in <paramref name="keys"/> that <paramref name="current"/> holds.</summary>
    public List<KvOperation> PlanDelete(KvSnapshot current, IEnumerable<string> keys)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(keys);
        return [.. keys.Where(k => current.Get(k) is not null).Select(KvOperation.Delete)];
    }

    /// <summary>
    /// The guard the root key holds in <paramref name="snapshot"/>: <c>null</c> when the key is absent
    /// or holds something Tend did not write. Readers wait while it says a replace is being applied.
    /// </summary>
    public InventoryGuard? GuardIn(KvSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return snapshot.Get(Root) is { } pair && InventoryGuard.TryParse(pair.Value, out var guard) ? guard : null;
    }

    /// <summary>Where a replace larger than one transaction keeps its operations while it is applied: beside the root, never under it.</summary>
    public string JournalRoot => Root + ".tend-journal";
}

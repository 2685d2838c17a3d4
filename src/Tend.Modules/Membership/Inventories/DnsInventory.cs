namespace Tend.Modules.Membership.Inventories;

/// <summary>
/// The members named by DNS SRV records, as etcd's own <c>--discovery-srv</c> reads them:
/// <c>_etcd-server-ssl._tcp.DOMAIN</c> for https peers, <c>_etcd-server._tcp.DOMAIN</c> for http peers. Each
/// target is a member named by its host name, at the record's port; this machine is the target equal to its
/// name (the fully qualified host name unless configured).
/// </summary>
internal sealed class DnsInventory : IMembershipInventory
{
    private readonly ISrvLookup _lookup;
    private readonly string _record;
    private readonly string _selfName;

    public DnsInventory(ISrvLookup lookup, string domain, string peerScheme, string selfName)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        ArgumentException.ThrowIfNullOrWhiteSpace(domain);
        _lookup = lookup;
        _record = RecordName(domain, peerScheme);
        _selfName = Normalize(selfName);
        Description = $"dns (SRV {_record}, this host {_selfName})";
    }

    public string Description { get; }

    /// <summary>The SRV record etcd's own discovery reads for peers of <paramref name="peerScheme"/>.</summary>
    public static string RecordName(string domain, string peerScheme) =>
        (string.Equals(peerScheme, "https", StringComparison.OrdinalIgnoreCase) ? "_etcd-server-ssl._tcp." : "_etcd-server._tcp.") + domain.TrimEnd('.');

    public async Task<InventorySnapshot> ReadAsync(CancellationToken cancellationToken = default)
    {
        var records = await _lookup.LookupAsync(_record, cancellationToken).ConfigureAwait(false);
        if (records.Count == 0)
        {
            throw new MembershipInventoryException($"DNS SRV {_record} lists no members.");
        }

        var candidates = new SortedDictionary<string, InventoryMember>(StringComparer.Ordinal);
        foreach (var (target, port) in records)
        {
            var name = Normalize(target);
            if (name.Length == 0 || port is < 1 or > 65535)
            {
                throw new MembershipInventoryException($"DNS SRV {_record} has a record without a usable target and port ('{target}' port {port}).");
            }

            if (candidates.TryGetValue(name, out var other) && other.PeerPort != port)
            {
                throw new MembershipInventoryException($"DNS SRV {_record} names {name} twice with different ports ({other.PeerPort}, {port}); one etcd member has one peer port.");
            }

            candidates[name] = new InventoryMember(name, name, port);
        }

        return new InventorySnapshot($"SRV {_record}", _selfName, [.. candidates.Values], []);
    }

    public void Dispose()
    {
    }

    private static string Normalize(string host) => host.Trim().TrimEnd('.').ToLowerInvariant();
}

using Tend.Stores.Dns;

namespace Tend.Modules.Membership.Inventories;

/// <summary><see cref="ISrvLookup"/> through the stores' SRV resolver (the servers of /etc/resolv.conf).</summary>
internal sealed class StoreSrvLookup(SrvResolver resolver) : ISrvLookup
{
    public async Task<IReadOnlyList<(string Target, int Port)>> LookupAsync(string name, CancellationToken cancellationToken = default)
    {
        try
        {
            var records = await resolver.ResolveAsync(name, cancellationToken).ConfigureAwait(false);
            return [.. records.Select(r => (r.Target.TrimEnd('.'), (int)r.Port))];
        }
        catch (SrvResolutionException ex)
        {
            throw new MembershipInventoryException($"DNS SRV lookup of {name} failed: {ex.Message}", ex);
        }
    }
}

namespace Tend.Modules.Membership.Inventories;

/// <summary>
/// Looks up DNS SRV records. A seam, so the dns inventory does not depend on which resolver the stores use
/// (today <see cref="Tend.Stores.Dns.SrvResolver"/>, through <see cref="StoreSrvLookup"/>).
/// </summary>
internal interface ISrvLookup
{
    /// <summary>The records of <paramref name="name"/> as (target host without the final dot, port); empty when the name has none.</summary>
    /// <exception cref="MembershipInventoryException">The lookup failed (no answer, server failure).</exception>
    Task<IReadOnlyList<(string Target, int Port)>> LookupAsync(string name, CancellationToken cancellationToken = default);
}

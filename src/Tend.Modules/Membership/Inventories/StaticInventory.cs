namespace Tend.Modules.Membership.Inventories;

/// <summary>The members listed in tend.toml (<c>[membership] members</c>); every one is a candidate.</summary>
internal sealed class StaticInventory : IMembershipInventory
{
    private readonly InventorySnapshot _snapshot;

    public StaticInventory(IReadOnlyList<StaticMember> members, string selfName)
    {
        ArgumentNullException.ThrowIfNull(members);
        var candidates = members
            .Select(m => new InventoryMember(m.Name, m.Host))
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .ToList();
        _snapshot = new InventorySnapshot("the static member list", selfName, candidates, []);
        Description = $"static ({candidates.Count} members, this host {selfName})";
    }

    public string Description { get; }

    public Task<InventorySnapshot> ReadAsync(CancellationToken cancellationToken = default) => Task.FromResult(_snapshot);

    public void Dispose()
    {
    }
}

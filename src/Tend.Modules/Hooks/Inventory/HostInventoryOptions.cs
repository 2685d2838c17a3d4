namespace Tend.Modules.Hooks.Inventory;

/// <summary>Where hosts live in the store and how they are named (<c>[hooks.nagios] root</c>, <c>host_name</c>).</summary>
public sealed record HostInventoryOptions
{
    /// <summary>The root: hosts are <c>ROOT/&lt;type&gt;/&lt;ordinal&gt;</c>, the value is the host's state.</summary>
    public string Root { get; init; } = "/site";

    /// <summary>The host-name pattern; <c>{root}</c> is the root's last segment, <c>{type}</c> and <c>{ordinal}</c> the key's two levels.</summary>
    public string HostName { get; init; } = "{root}-{type}-{ordinal}";
}

namespace Tend.Modules.Hooks.Inventory;

/// <summary>One host of the inventory.</summary>
/// <param name="Name">The host name, e.g. <c>site-web-800</c>.</param>
/// <param name="Type">The pod type, e.g. <c>web</c>.</param>
/// <param name="Ordinal">The ordinal, e.g. <c>800</c>.</param>
/// <param name="State">The state (the key's value), e.g. <c>hbout</c>.</param>
/// <param name="Key">The store key, e.g. <c>/site/web/800</c>.</param>
public sealed record HostEntry(string Name, string Type, string Ordinal, string State, string Key);

namespace Tend.Core.Agent;

/// <summary>A node as the catalog reports it (<c>/v1/catalog/nodes</c>, the node of a health entry).</summary>
/// <param name="Id">The node id (a UUID; may be empty for nodes registered without one).</param>
/// <param name="Name">The node name.</param>
/// <param name="Address">The node address.</param>
/// <param name="Datacenter">The node's datacenter.</param>
/// <param name="TaggedAddresses">Its tagged addresses (<c>lan</c>, <c>wan</c> …); null when Consul sent none.</param>
/// <param name="Meta">Its metadata; null when Consul sent none.</param>
public sealed record ConsulNode(
    string Id,
    string Name,
    string Address,
    string Datacenter,
    IReadOnlyDictionary<string, string>? TaggedAddresses,
    IReadOnlyDictionary<string, string>? Meta);

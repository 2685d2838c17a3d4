namespace Tend.Core.Agent;

/// <summary>One node with the services the catalog holds on it (<c>/v1/catalog/node/:name</c>).</summary>
/// <param name="Node">The node.</param>
/// <param name="Services">Its services, in no particular order.</param>
public sealed record ConsulNodeCatalog(ConsulNode Node, IReadOnlyList<ConsulNodeService> Services);

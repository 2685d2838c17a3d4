namespace Tend.Core.Agent;

/// <summary>A service as the catalog holds it on one node (<c>/v1/catalog/node</c>, the service of a health entry).</summary>
/// <param name="Id">The service id.</param>
/// <param name="Service">The service name.</param>
/// <param name="Tags">Its tags, in the order registered.</param>
/// <param name="Meta">Its metadata; null when Consul sent none.</param>
/// <param name="Port">Its port.</param>
/// <param name="Address">Its own address; empty when it uses the node's.</param>
/// <param name="EnableTagOverride">Whether anti-entropy leaves its tags alone.</param>
public sealed record ConsulNodeService(
    string Id,
    string Service,
    IReadOnlyList<string> Tags,
    IReadOnlyDictionary<string, string>? Meta,
    int Port,
    string Address,
    bool EnableTagOverride);

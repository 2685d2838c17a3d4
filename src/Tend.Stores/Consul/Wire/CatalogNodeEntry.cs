namespace Tend.Stores.Consul.Wire;

/// <summary>The answer of <c>/v1/catalog/node/:name</c> (JSON <c>null</c> for an unknown node).</summary>
internal sealed class CatalogNodeEntry
{
    public HealthNode? Node { get; set; }

    public Dictionary<string, HealthService?>? Services { get; set; }
}

namespace Tend.Templates.Catalog;

/// <summary>Which Consul endpoint a catalog function reads.</summary>
public enum CatalogQueryKind
{
    /// <summary><c>service</c>: <c>/v1/health/service/:name</c>.</summary>
    HealthService,

    /// <summary><c>services</c>: <c>/v1/catalog/services</c>.</summary>
    Services,

    /// <summary><c>node</c>: <c>/v1/catalog/node/:name</c>.</summary>
    Node,

    /// <summary><c>nodes</c>: <c>/v1/catalog/nodes</c>.</summary>
    Nodes,

    /// <summary><c>datacenters</c>: <c>/v1/catalog/datacenters</c>.</summary>
    Datacenters,
}

namespace Tend.Templates.Catalog;

/// <summary>
/// The Consul catalog consul-template's <c>service</c>, <c>services</c>, <c>node</c>, <c>nodes</c> and
/// <c>datacenters</c> read. The caller keeps each query's latest answer (watching it for changes); a query
/// without an answer yet makes the render wait, as consul-template waits.
/// </summary>
public interface ITemplateCatalog
{
    /// <summary>False when the store has no catalog (a store of keys only): the functions then fail naming themselves.</summary>
    bool IsAvailable { get; }

    /// <summary>
    /// The latest answer to <paramref name="query"/> in its template shape (a list of <see cref="HealthService"/>,
    /// <see cref="CatalogSnippet"/>, <see cref="NodeInfo"/> or strings, or one <see cref="CatalogNode"/>); false when it
    /// has none yet. Asking is what starts the watch of a query not seen before.
    /// </summary>
    bool TryRead(CatalogQuery query, out object? value);
}

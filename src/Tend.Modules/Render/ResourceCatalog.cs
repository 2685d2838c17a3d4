using Tend.Templates.Catalog;

namespace Tend.Modules.Render;

/// <summary>
/// What one resource's template reads of the catalog: the module's shared watches, with the resource subscribed to
/// each query it has read once, so an answer that changes renders it again. The module's watch set is made on first
/// use (after the module's settings are in place).
/// </summary>
internal sealed class ResourceCatalog(Func<CatalogWatchSet> watches, Action changed) : ITemplateCatalog
{
    private readonly HashSet<string> _subscribed = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public bool IsAvailable => watches().Available;

    public bool TryRead(CatalogQuery query, out object? value)
    {
        var watch = watches().Get(query);
        lock (_gate)
        {
            if (_subscribed.Add(query.Key))
            {
                watch.Subscribe(changed);
            }
        }

        return watch.TryGetValue(out value);
    }
}

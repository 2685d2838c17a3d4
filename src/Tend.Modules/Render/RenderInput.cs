using Tend.Core.Kv;

namespace Tend.Modules.Render;

/// <summary>What one render of a resource reads.</summary>
/// <param name="Pairs">The resource's keys relative to its prefix (what confd's getv, gets, ls … see), sorted, unique.</param>
/// <param name="Dot">The template's data: <c>null</c> for confd resources, the key → value map for reconfig ones.</param>
/// <param name="Revision">The newest store revision among the snapshots read.</param>
/// <param name="Catalog">The Consul catalog consul-template's catalog functions read (null: the store has none, or the resource is not consul-template's).</param>
internal sealed record RenderInput(IReadOnlyList<KvPair> Pairs, object? Dot, long Revision, Tend.Templates.Catalog.ITemplateCatalog? Catalog = null);

using Tend.Templates.Catalog;
using P = Tend.Templates.TemplateParameterType;

namespace Tend.Templates.Functions;

/// <summary>
/// consul-template's catalog and health functions over an <see cref="ITemplateCatalog"/>. Arguments are joined
/// and parsed as consul-template does (<c>service "web" "any"</c> is <c>"web|any"</c>); a query without an answer
/// yet yields the empty value and is reported to <see cref="ConsulTemplateDependencies"/>, so the render waits.
/// </summary>
internal static class ConsulCatalogFunctions
{
    public static IEnumerable<TemplateFunction> All(ITemplateCatalog? catalog, ConsulTemplateDependencies dependencies)
    {
        yield return ConsulTemplateFunctions.V("service", Signature("service"), "The healthy instances of a service (\"tag.name@dc|passing,warning\"; \"any\" for all), sorted by node then id.", [P.String], a =>
        {
            if (a.Length == 0 || ConsulTemplateFunctions.S(a[0]).Length == 0)
            {
                return Array.Empty<HealthService>();
            }

            return Read(catalog, dependencies, "service", CatalogQuery.HealthService(Join(a, "|"))) ?? Array.Empty<HealthService>();
        });
        yield return ConsulTemplateFunctions.V("services", Signature("services"), "Every service of the catalog (\"@dc\") with its tags, sorted by name.", [P.String], a =>
            Read(catalog, dependencies, "services", CatalogQuery.Services(Join(a, ""))) ?? Array.Empty<CatalogSnippet>());
        yield return ConsulTemplateFunctions.V("node", Signature("node"), "A node (\"name@dc\"; none: the agent's) with its services (.Node, .Services).", [P.String], a =>
            Read(catalog, dependencies, "node", CatalogQuery.Node(Join(a, ""))));
        yield return ConsulTemplateFunctions.V("nodes", Signature("nodes"), "Every node of the catalog (\"@dc~near\"), sorted by name then address.", [P.String], a =>
            Read(catalog, dependencies, "nodes", CatalogQuery.Nodes(Join(a, ""))) ?? Array.Empty<NodeInfo>());
        yield return ConsulTemplateFunctions.V("datacenters", Signature("datacenters"), "The datacenters, sorted; with true, only those that answer.", [P.Boolean], a =>
        {
            if (a.Length > 1)
            {
                throw new TemplateFunctionException($"datacenters: wrong number of arguments, expected 0 or 1, but got {a.Length}");
            }

            return Read(catalog, dependencies, "datacenters", CatalogQuery.Datacenters(a.Length == 1 && (bool)a[0]!)) ?? Array.Empty<string>();
        });
    }

    private static string Signature(string name) =>
        ConsulTemplateFunctions.CatalogSignatures.First(s => s.Name == name).Signature;

    private static string Join(object?[] args, string separator) =>
        string.Join(separator, args.Select(ConsulTemplateFunctions.S));

    private static object? Read(ITemplateCatalog? catalog, ConsulTemplateDependencies dependencies, string function, CatalogQuery query)
    {
        if (catalog is not { IsAvailable: true })
        {
            throw new TemplateFunctionException($"{function} reads Consul's catalog, which needs the Consul store (--store consul, or [store] kind = \"consul\"); this resource's store holds keys only");
        }

        if (catalog.TryRead(query, out var value))
        {
            return value;
        }

        dependencies.AddMissing(query.Key);
        return null;
    }
}

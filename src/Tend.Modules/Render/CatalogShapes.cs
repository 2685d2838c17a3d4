using Tend.Core.Agent;
using Tend.Templates.Catalog;

namespace Tend.Modules.Render;

/// <summary>
/// The agent's answers in consul-template's shapes: its health filter, the service address falling back to the
/// node's, tags sorted, and its sort orders (instances by node then id, services by name, nodes by name then
/// address, a node's services by name then id; none where <c>~near</c> asked for Consul's distance order).
/// </summary>
internal static class CatalogShapes
{
    public static HealthService[] HealthServices(CatalogQuery query, IReadOnlyList<ConsulHealthEntry> entries)
    {
        var list = new List<HealthService>(entries.Count);
        foreach (var e in entries)
        {
            var status = AggregatedStatus(e.Checks);
            if (!query.Accepts(status))
            {
                continue;
            }

            list.Add(new HealthService
            {
                Node = e.Node.Name,
                NodeId = e.Node.Id,
                NodeAddress = e.Node.Address,
                NodeTaggedAddresses = Map(e.Node.TaggedAddresses),
                NodeMeta = Map(e.Node.Meta),
                ServiceMeta = Map(e.Service.Meta),
                Address = e.Service.Address.Length > 0 ? e.Service.Address : e.Node.Address,
                Id = e.Service.Id,
                Name = e.Service.Service,
                Tags = Sorted(e.Service.Tags),
                Checks = [.. e.Checks.Select(Check)],
                Status = status,
                Port = e.Service.Port,
            });
        }

        return query.Near.Length > 0
            ? [.. list]
            : [.. list.OrderBy(s => s.Node, StringComparer.Ordinal).ThenBy(s => s.Id, StringComparer.Ordinal)];
    }

    public static CatalogSnippet[] Services(IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>> services) =>
        [.. services.Select(s => new CatalogSnippet { Name = s.Key, Tags = Sorted(s.Value) }).OrderBy(s => s.Name, StringComparer.Ordinal)];

    public static NodeInfo[] Nodes(CatalogQuery query, IReadOnlyList<ConsulNode> nodes)
    {
        var list = nodes.Select(Node);
        return query.Near.Length > 0
            ? [.. list]
            : [.. list.OrderBy(n => n.Node, StringComparer.Ordinal).ThenBy(n => n.Address, StringComparer.Ordinal)];
    }

    /// <summary>The node with its services; a node the catalog does not have is an answer without a node (consul-template's empty CatalogNode).</summary>
    public static CatalogNode Node(ConsulNodeCatalog? node) => node is null
        ? new CatalogNode()
        : new CatalogNode
        {
            Node = Node(node.Node),
            Services = [.. node.Services
                .Select(s => new CatalogNodeService { Id = s.Id, Service = s.Service, Tags = Sorted(s.Tags), Meta = Map(s.Meta), Port = s.Port, Address = s.Address, EnableTagOverride = s.EnableTagOverride })
                .OrderBy(s => s.Service, StringComparer.Ordinal).ThenBy(s => s.Id, StringComparer.Ordinal)],
        };

    public static string[] Datacenters(IEnumerable<string> datacenters) => [.. datacenters.Order(StringComparer.Ordinal)];

    /// <summary>
    /// The checks added up as Consul's API client adds them up: a maintenance check wins, then critical, warning,
    /// passing (no checks: passing); a status it does not know makes the whole empty.
    /// </summary>
    public static string AggregatedStatus(IReadOnlyList<ConsulHealthCheck> checks)
    {
        bool passing = false, warning = false, critical = false, maintenance = false;
        foreach (var c in checks)
        {
            if (c.CheckId == "_node_maintenance" || c.CheckId.StartsWith("_service_maintenance:", StringComparison.Ordinal))
            {
                maintenance = true;
                continue;
            }

            switch (c.Status)
            {
                case "passing":
                    passing = true;
                    break;
                case "warning":
                    warning = true;
                    break;
                case "critical":
                    critical = true;
                    break;
                default:
                    return "";
            }
        }

        return maintenance ? "maintenance" : critical ? "critical" : warning ? "warning" : passing ? "passing" : "passing";
    }

    private static NodeInfo Node(ConsulNode n) => new()
    {
        Id = n.Id,
        Node = n.Name,
        Address = n.Address,
        Datacenter = n.Datacenter,
        TaggedAddresses = Map(n.TaggedAddresses),
        Meta = Map(n.Meta),
    };

    private static HealthCheck Check(ConsulHealthCheck c) => new()
    {
        Node = c.Node,
        CheckId = c.CheckId,
        Name = c.Name,
        Status = c.Status,
        Notes = c.Notes,
        Output = c.Output,
        ServiceId = c.ServiceId,
        ServiceName = c.ServiceName,
        ServiceTags = [.. c.ServiceTags],
    };

    // consul-template sorts a copy of the tags with Go's sort.Strings (byte order).
    private static string[] Sorted(IReadOnlyList<string> tags) => [.. tags.Order(StringComparer.Ordinal)];

    // A Dictionary, which the template engine reads as a Go map (printed sorted by key); nil prints as map[] too.
    private static Dictionary<string, string> Map(IReadOnlyDictionary<string, string>? map) =>
        map is null ? [] : new Dictionary<string, string>(map, StringComparer.Ordinal);
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Tend.Core.Agent;
using Tend.Core.Kv;
using Tend.Stores.Consul.Http;
using Tend.Stores.Consul.Wire;

namespace Tend.Stores.Consul;

// The catalog and health reads templates watch: blocking queries on any endpoint (Raft indexes are the
// cluster's, so an index read from one agent is valid at the next), answers mapped to Core's records.
internal sealed partial class ConsulAgent
{
    public async Task<ConsulQueryResult<IReadOnlyList<ConsulHealthEntry>>> QueryServiceHealthAsync(string service, string? tag, bool passingOnly, ConsulBlockingQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(service);
        ArgumentNullException.ThrowIfNull(query);
        var extra = new List<KeyValuePair<string, string?>>();
        if (!string.IsNullOrEmpty(tag))
        {
            extra.Add(new("tag", tag));
        }

        if (passingOnly)
        {
            extra.Add(new("passing", null));
        }

        var (entries, index) = await QueryJsonAsync("/v1/health/service/" + Uri.EscapeDataString(service), extra, query, ConsulJsonContext.Default.ListHealthEntry, $"reading the health of service {service}", cancellationToken).ConfigureAwait(false);
        IReadOnlyList<ConsulHealthEntry> result = (entries ?? []).Select(e => new ConsulHealthEntry(
            Node(e.Node ?? new HealthNode()),
            Service(e.Service ?? new HealthService()),
            (e.Checks ?? []).Select(c => new ConsulHealthCheck(c.Node, c.CheckId, c.Name, c.Status, c.Notes, c.Output, c.ServiceId, c.ServiceName, c.ServiceTags ?? [])).ToList())).ToList();
        return new(result, index);
    }

    public async Task<ConsulQueryResult<IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>>>> QueryServicesAsync(ConsulBlockingQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var (services, index) = await QueryJsonAsync("/v1/catalog/services", [], query, ConsulJsonContext.Default.DictionaryStringListString, "listing the catalog's services", cancellationToken).ConfigureAwait(false);
        IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>> result = (services ?? []).Select(kv => new KeyValuePair<string, IReadOnlyList<string>>(kv.Key, kv.Value ?? [])).ToList();
        return new(result, index);
    }

    public async Task<ConsulQueryResult<IReadOnlyList<ConsulNode>>> QueryNodesAsync(ConsulBlockingQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var (nodes, index) = await QueryJsonAsync("/v1/catalog/nodes", [], query, ConsulJsonContext.Default.ListHealthNode, "listing the catalog's nodes", cancellationToken).ConfigureAwait(false);
        IReadOnlyList<ConsulNode> result = (nodes ?? []).Select(Node).ToList();
        return new(result, index);
    }

    public async Task<ConsulQueryResult<ConsulNodeCatalog?>> QueryNodeAsync(string node, ConsulBlockingQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(node);
        ArgumentNullException.ThrowIfNull(query);
        var (entry, index) = await QueryJsonAsync("/v1/catalog/node/" + Uri.EscapeDataString(node), [], query, ConsulJsonContext.Default.CatalogNodeEntry, $"reading node {node} from the catalog", cancellationToken).ConfigureAwait(false);
        if (entry?.Node is null)
        {
            return new(null, index);
        }

        var services = (entry.Services ?? []).Values.OfType<HealthService>().Select(Service).ToList();
        return new(new ConsulNodeCatalog(Node(entry.Node), services), index);
    }

    private static ConsulNode Node(HealthNode n) => new(n.Id, n.Node, n.Address, n.Datacenter, n.TaggedAddresses, n.Meta);

    private static ConsulNodeService Service(HealthService s) => new(s.Id, s.Service, s.Tags ?? [], s.Meta, s.Port, s.Address, s.EnableTagOverride);

    private async Task<(T? Value, long Index)> QueryJsonAsync<T>(string path, List<KeyValuePair<string, string?>> extra, ConsulBlockingQuery query, JsonTypeInfo<T> type, string what, CancellationToken cancellationToken)
    {
        var parameters = new List<KeyValuePair<string, string?>>(extra);
        if (!string.IsNullOrEmpty(query.Datacenter))
        {
            parameters.Add(new("dc", query.Datacenter));
            what += $" in datacenter {query.Datacenter}";
        }

        if (!string.IsNullOrEmpty(query.Near))
        {
            parameters.Add(new("near", query.Near));
        }

        bool blocking = query.Index > 0;
        if (blocking)
        {
            parameters.Add(new("index", query.Index.ToString(CultureInfo.InvariantCulture)));
            parameters.Add(new("wait", Duration(query.Wait)));
        }

        var request = new ConsulRequest
        {
            Method = HttpMethod.Get,
            Path = path,
            Query = parameters,
            Idempotent = true,
            IsRead = true,
            Consistent = query.Consistent,
            UsesDatacenter = string.IsNullOrEmpty(query.Datacenter),
            BlockingWait = blocking ? query.Wait : null,
            What = what,
        };
        var response = await connection.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsOk)
        {
            throw new KvStoreException($"{connection.Name}: {what} failed: HTTP {(int)response.Status} {response.Text}");
        }

        try
        {
            return (JsonSerializer.Deserialize(response.Body, type), response.Index);
        }
        catch (JsonException ex)
        {
            throw new KvStoreException($"{connection.Name}: the answer to {what} is not what Consul sends: {ex.Message}", ex);
        }
    }
}

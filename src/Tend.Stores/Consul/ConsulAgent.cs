using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Tend.Core.Agent;
using Tend.Core.Kv;
using Tend.Stores.Consul.Http;
using Tend.Stores.Consul.Wire;

namespace Tend.Stores.Consul;

/// <summary>
/// The local agent's API on the store's connection. Agent calls (service and check registration) go to the
/// current endpoint only: a service registered with one agent is unknown to the next, so failing over would
/// scatter a host's services. Catalog and health reads may use any endpoint.
/// </summary>
internal sealed partial class ConsulAgent(ConsulConnection connection) : IConsulAgent
{
    public async Task<ConsulAgentInfo> GetSelfAsync(CancellationToken cancellationToken = default)
    {
        var self = await GetJsonAsync("/v1/agent/self", [], ConsulJsonContext.Default.AgentSelf, "reading the agent's own description", agentOnly: true, cancellationToken).ConfigureAwait(false);
        var config = self?.Config ?? throw new KvStoreException($"{connection.Name}: /v1/agent/self answered without its Config");
        return new ConsulAgentInfo(config.NodeName, config.Datacenter);
    }

    public async Task RegisterServiceAsync(ConsulServiceRegistration service, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(service);
        var definition = new ServiceDefinition
        {
            Id = service.Id,
            Name = service.Name,
            Tags = service.Tags.Count > 0 ? [.. service.Tags] : null,
            Address = string.IsNullOrEmpty(service.Address) ? null : service.Address,
            Port = service.Port,
            Meta = service.Meta.Count > 0 ? new Dictionary<string, string>(service.Meta) : null,
            Check = new ServiceCheckDefinition
            {
                CheckId = service.CheckId,
                Name = service.CheckName ?? $"Tend check of {service.Name}",
                Ttl = Duration(service.CheckTtl),
                Status = StatusText(service.InitialStatus),
                Notes = service.InitialOutput,
                DeregisterCriticalServiceAfter = service.DeregisterCriticalAfter is { } after ? Duration(after < TimeSpan.FromMinutes(1) ? TimeSpan.FromMinutes(1) : after) : null,
            },
        };
        var body = JsonSerializer.SerializeToUtf8Bytes(definition, ConsulJsonContext.Default.ServiceDefinition);
        await SendAgentAsync(HttpMethod.Put, "/v1/agent/service/register", body, $"registering service {service.Id}", cancellationToken).ConfigureAwait(false);
    }

    public async Task DeregisterServiceAsync(string serviceId, CancellationToken cancellationToken = default)
    {
        await SendAgentAsync(HttpMethod.Put, "/v1/agent/service/deregister/" + Uri.EscapeDataString(serviceId), null, $"deregistering service {serviceId}", cancellationToken, allowMissing: true).ConfigureAwait(false);
    }

    public async Task<bool> UpdateCheckAsync(string checkId, ConsulCheckStatus status, string? output = null, CancellationToken cancellationToken = default)
    {
        // Consul keeps at most 4 KiB of output; the rest would only travel to be cut.
        var text = output ?? string.Empty;
        if (text.Length > 4096)
        {
            text = text[..4096];
        }

        var body = JsonSerializer.SerializeToUtf8Bytes(new CheckUpdate(StatusText(status), text), ConsulJsonContext.Default.CheckUpdate);
        var response = await SendAgentAsync(HttpMethod.Put, "/v1/agent/check/update/" + Uri.EscapeDataString(checkId), body, $"updating check {checkId}", cancellationToken, allowMissing: true).ConfigureAwait(false);
        return response.IsOk;
    }

    public async Task<IReadOnlyList<ConsulServiceInstance>> GetServiceHealthAsync(string service, bool passingOnly = false, bool allDatacenters = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(service);
        if (!allDatacenters)
        {
            return await ServiceHealthInAsync(service, passingOnly, null, cancellationToken).ConfigureAwait(false);
        }

        var datacenters = await GetDatacentersAsync(cancellationToken).ConfigureAwait(false);
        var each = await Task.WhenAll(datacenters.Select(dc => ServiceHealthInAsync(service, passingOnly, dc, cancellationToken))).ConfigureAwait(false);
        return [.. each.SelectMany(x => x)];
    }

    public async Task<IReadOnlyList<string>> GetDatacentersAsync(CancellationToken cancellationToken = default) =>
        await GetJsonAsync("/v1/catalog/datacenters", [], ConsulJsonContext.Default.ListString, "listing the datacenters", agentOnly: false, cancellationToken).ConfigureAwait(false) ?? [];

    private static string StatusText(ConsulCheckStatus status) => status switch
    {
        ConsulCheckStatus.Passing => "passing",
        ConsulCheckStatus.Warning => "warning",
        _ => "critical",
    };

    private static ConsulCheckStatus ParseStatus(string status) => status switch
    {
        "passing" => ConsulCheckStatus.Passing,
        "warning" => ConsulCheckStatus.Warning,
        _ => ConsulCheckStatus.Critical,
    };

    private static string Duration(TimeSpan span) => ((long)Math.Ceiling(span.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture) + "ms";

    private async Task<IReadOnlyList<ConsulServiceInstance>> ServiceHealthInAsync(string service, bool passingOnly, string? datacenter, CancellationToken cancellationToken)
    {
        var query = new List<KeyValuePair<string, string?>>();
        if (passingOnly)
        {
            query.Add(new("passing", null));
        }

        if (datacenter is not null)
        {
            query.Add(new("dc", datacenter));
        }

        var entries = await GetJsonAsync("/v1/health/service/" + Uri.EscapeDataString(service), query, ConsulJsonContext.Default.ListHealthEntry, $"reading the health of service {service}", agentOnly: false, cancellationToken, usesDatacenter: datacenter is null).ConfigureAwait(false) ?? [];
        return entries.Select(e =>
        {
            var node = e.Node ?? new HealthNode();
            var s = e.Service ?? new HealthService();
            return new ConsulServiceInstance(
                datacenter ?? node.Datacenter,
                node.Node,
                node.Address,
                s.Id,
                s.Service,
                string.IsNullOrEmpty(s.Address) ? node.Address : s.Address,
                s.Port,
                s.Tags ?? [],
                s.Meta ?? new Dictionary<string, string>(),
                (e.Checks ?? []).Select(c => new ConsulCheckState(c.CheckId, c.Name, ParseStatus(c.Status), c.Output, c.ServiceId)).ToList());
        }).ToList();
    }

    private async Task<T?> GetJsonAsync<T>(string path, IReadOnlyList<KeyValuePair<string, string?>> query, JsonTypeInfo<T> type, string what, bool agentOnly, CancellationToken cancellationToken, bool usesDatacenter = true)
    {
        var request = new ConsulRequest
        {
            Method = HttpMethod.Get,
            Path = path,
            Query = query,
            Idempotent = true,
            IsRead = !agentOnly,
            UsesDatacenter = !agentOnly && usesDatacenter,
            What = what,
            Endpoint = agentOnly ? await CurrentEndpointAsync(cancellationToken).ConfigureAwait(false) : null,
        };
        var response = await connection.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsOk)
        {
            throw new KvStoreException($"{connection.Name}: {what} failed: HTTP {(int)response.Status} {response.Text}");
        }

        try
        {
            return JsonSerializer.Deserialize(response.Body, type);
        }
        catch (JsonException ex)
        {
            throw new KvStoreException($"{connection.Name}: the answer to {what} is not what Consul sends: {ex.Message}", ex);
        }
    }

    private async Task<ConsulResponse> SendAgentAsync(HttpMethod method, string path, byte[]? body, string what, CancellationToken cancellationToken, bool allowMissing = false)
    {
        var request = new ConsulRequest
        {
            Method = method,
            Path = path,
            Body = body,
            Idempotent = true,
            UsesDatacenter = false,
            What = what,
            ReturnErrors = true,
            Endpoint = await CurrentEndpointAsync(cancellationToken).ConfigureAwait(false),
        };
        var response = await connection.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.IsOk)
        {
            return response;
        }

        // Unknown checks and services: 404 in newer agents, 500 "Unknown check"/"Unknown service" in older ones.
        if (allowMissing && (response.Status == HttpStatusCode.NotFound || response.Text.Contains("Unknown ", StringComparison.OrdinalIgnoreCase) || response.Text.Contains("not found", StringComparison.OrdinalIgnoreCase) || response.Text.Contains("does not have associated TTL", StringComparison.OrdinalIgnoreCase)))
        {
            return response;
        }

        if (response.Status >= HttpStatusCode.InternalServerError)
        {
            throw new KvStoreUnavailableException($"{connection.Name}: {what} failed: HTTP {(int)response.Status} {response.Text}");
        }

        throw new KvStoreException($"{connection.Name}: {what} was refused: HTTP {(int)response.Status} {response.Text}");
    }

    private async Task<Uri> CurrentEndpointAsync(CancellationToken cancellationToken)
    {
        var endpoints = await connection.Endpoints.GetAsync(cancellationToken).ConfigureAwait(false);
        return endpoints[connection.Endpoints.Current % endpoints.Length];
    }
}

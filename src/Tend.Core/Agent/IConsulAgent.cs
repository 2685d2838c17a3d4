namespace Tend.Core.Agent;

/// <summary>
/// The local Consul agent's service and health API, for the modules that need more than keys: register
/// (<c>catalog = true</c>) and the health module. Only the Consul store offers it; find it with
/// <see cref="ConsulAgentLookup.FindConsulAgent"/>.
/// </summary>
public interface IConsulAgent
{
    /// <summary>The agent's node name and datacenter (<c>/v1/agent/self</c>).</summary>
    /// <exception cref="Kv.KvStoreUnavailableException">The agent could not be reached.</exception>
    /// <exception cref="Kv.KvAuthenticationException">The ACL token may not read the agent.</exception>
    Task<ConsulAgentInfo> GetSelfAsync(CancellationToken cancellationToken = default);

    /// <summary>Registers (or replaces) a service with its TTL check in the local agent.</summary>
    Task RegisterServiceAsync(ConsulServiceRegistration service, CancellationToken cancellationToken = default);

    /// <summary>Removes a service (and its checks) from the local agent; an unknown id is not an error.</summary>
    Task DeregisterServiceAsync(string serviceId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sets a TTL check's status and output (pass, warn, fail), which also restarts its TTL. Returns false
    /// when the agent does not know the check (its service was deregistered or reaped meanwhile).
    /// </summary>
    Task<bool> UpdateCheckAsync(string checkId, ConsulCheckStatus status, string? output = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// The instances of <paramref name="service"/> with their checks (<c>/v1/health/service</c>), in the
    /// configured datacenter, or in every datacenter the catalog knows with <paramref name="allDatacenters"/>.
    /// </summary>
    Task<IReadOnlyList<ConsulServiceInstance>> GetServiceHealthAsync(string service, bool passingOnly = false, bool allDatacenters = false, CancellationToken cancellationToken = default);

    /// <summary>The datacenters the catalog knows (<c>/v1/catalog/datacenters</c>), nearest first.</summary>
    Task<IReadOnlyList<string>> GetDatacentersAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Every instance of <paramref name="service"/> (with <paramref name="tag"/> when given) with its node and checks,
    /// only those whose checks all pass with <paramref name="passingOnly"/>; a blocking query when
    /// <paramref name="query"/> carries an index. An unknown service is an empty list.
    /// </summary>
    /// <exception cref="Kv.KvStoreUnavailableException">No agent answered.</exception>
    /// <exception cref="Kv.KvAuthenticationException">The ACL token may not read the service.</exception>
    /// <exception cref="Kv.KvStoreException">Consul refused the query (an unknown datacenter).</exception>
    Task<ConsulQueryResult<IReadOnlyList<ConsulHealthEntry>>> QueryServiceHealthAsync(string service, string? tag, bool passingOnly, ConsulBlockingQuery query, CancellationToken cancellationToken = default);

    /// <summary>The services the catalog knows, each with the union of its instances' tags (<c>/v1/catalog/services</c>), in no particular order.</summary>
    /// <exception cref="Kv.KvStoreUnavailableException">No agent answered.</exception>
    /// <exception cref="Kv.KvStoreException">Consul refused the query.</exception>
    Task<ConsulQueryResult<IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>>>> QueryServicesAsync(ConsulBlockingQuery query, CancellationToken cancellationToken = default);

    /// <summary>The nodes the catalog knows (<c>/v1/catalog/nodes</c>), in Consul's order (by distance with <see cref="ConsulBlockingQuery.Near"/>).</summary>
    /// <exception cref="Kv.KvStoreUnavailableException">No agent answered.</exception>
    /// <exception cref="Kv.KvStoreException">Consul refused the query.</exception>
    Task<ConsulQueryResult<IReadOnlyList<ConsulNode>>> QueryNodesAsync(ConsulBlockingQuery query, CancellationToken cancellationToken = default);

    /// <summary>One node with its services (<c>/v1/catalog/node/:name</c>); the value is null when the catalog has no such node.</summary>
    /// <exception cref="Kv.KvStoreUnavailableException">No agent answered.</exception>
    /// <exception cref="Kv.KvStoreException">Consul refused the query.</exception>
    Task<ConsulQueryResult<ConsulNodeCatalog?>> QueryNodeAsync(string node, ConsulBlockingQuery query, CancellationToken cancellationToken = default);
}

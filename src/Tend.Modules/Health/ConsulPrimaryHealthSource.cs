using Tend.Core.Agent;
using Tend.Core.Kv;

namespace Tend.Modules.Health;

/// <summary>
/// On Consul, a secondary asks Consul itself whether a primary passes: <c>/v1/health/service/SERVICE</c>
/// in every datacenter the catalog knows (an active datacenter is usually not the secondary's own). An
/// instance belongs to a primary when its node (the <c>tend_node</c> metadata of instances Tend keeps,
/// else Consul's node name) or its datacenter is active in <c>cluster/ENV/SERVICE</c>; it passes when
/// all its checks pass (the node's serfHealth included, so a dead node never counts). That covers the
/// original setup too, where the agent runs <c>tend check …</c> as the service's script check.
/// When Consul knows no primary instance of the service, the primaries are not registered there (no
/// <c>catalog</c>, no script check), and the entries they publish answer instead.
/// </summary>
internal sealed class ConsulPrimaryHealthSource(IConsulAgent agent, IHealthData data, IPrimaryHealthSource published) : IPrimaryHealthSource
{
    public async Task<PrimaryHealth> GetAsync(HealthIdentity identity, string service, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var key = identity.ClusterKey(service);
        var value = await data.GetAsync(key, cancellationToken).ConfigureAwait(false);
        if (value is null)
        {
            return new PrimaryHealth(false, $"no cluster definition at {key}");
        }

        var cluster = ClusterDefinition.Parse(key, value);
        IReadOnlyList<ConsulServiceInstance> instances;
        try
        {
            instances = await agent.GetServiceHealthAsync(service, allDatacenters: true, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (KvStoreException ex)
        {
            throw new HealthUnknownException($"cannot read the health of service {service} from Consul: {ex.Message}", ex);
        }

        var passing = new List<string>();
        var failing = new List<string>();
        foreach (var instance in instances)
        {
            var node = instance.Meta.TryGetValue(ConsulAgentCheckSink.NodeMeta, out var n) && n.Length > 0 ? n : instance.Node;
            if (string.Equals(node, identity.Hostname, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var member = cluster.ByDatacenter ? instance.Datacenter : node;
            if (!cluster.Active.Contains(member, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            var status = instance.AggregatedStatus;
            (status == ConsulCheckStatus.Passing ? passing : failing).Add($"{node} {status.ToString().ToLowerInvariant()} in Consul");
        }

        if (passing.Count + failing.Count == 0)
        {
            return await published.GetAsync(identity, service, cancellationToken).ConfigureAwait(false);
        }

        if (passing.Count > 0)
        {
            return new PrimaryHealth(true, "primary " + string.Join(", ", passing.Distinct(StringComparer.Ordinal)));
        }

        return new PrimaryHealth(false, "primary " + string.Join(", ", failing.Distinct(StringComparer.Ordinal)));
    }
}

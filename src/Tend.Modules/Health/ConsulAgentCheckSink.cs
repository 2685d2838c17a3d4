using Microsoft.Extensions.Logging;
using Tend.Core.Agent;
using Tend.Modules.Checks;

namespace Tend.Modules.Health;

/// <summary>
/// The Consul agent's side of continuous checks with <c>catalog = true</c>: each such service is kept in
/// the local agent as <c>tend-health-SERVICE-NODE</c> (name SERVICE, metadata <c>tend_node</c> = NODE, this
/// node) with a TTL check <c>tend-health-SERVICE-NODE:check</c> that takes every result, so Consul's health API, DNS and
/// watches see what Tend sees. The keeping itself (send on change, renew at TTL/2, register again when
/// the agent forgot, deregister on stop) is register's too: <see cref="ConsulTtlService"/>.
/// </summary>
internal sealed class ConsulAgentCheckSink(IConsulAgent agent, ILogger logger) : IAgentCheckSink, IAsyncDisposable
{
    /// <summary>The metadata key naming the Tend node that registered an instance (its health hostname).</summary>
    public const string NodeMeta = "tend_node";

    private readonly Lock _gate = new();
    private Dictionary<string, ConsulTtlService> _services = new(StringComparer.Ordinal);

    /// <summary>The agent service id of <paramref name="service"/>'s instance on <paramref name="node"/>.</summary>
    public static string ServiceId(string service, string node) => $"tend-health-{service}-{node}";

    /// <summary>Keeps exactly the services of <paramref name="checks"/> with <c>catalog = true</c>; the others are deregistered.</summary>
    public async Task SyncAsync(HealthIdentity identity, IEnumerable<HealthCheckOptions> checks, TimeSpan ttl)
    {
        var wanted = checks.Where(c => c.Catalog).ToDictionary(c => c.Service!, c => Registration(identity, c, ttl), StringComparer.Ordinal);
        var next = new Dictionary<string, ConsulTtlService>(StringComparer.Ordinal);
        var gone = new List<ConsulTtlService>();
        lock (_gate)
        {
            foreach (var (service, keeper) in _services)
            {
                if (wanted.TryGetValue(service, out var registration) && Same(keeper.Registration, registration))
                {
                    next[service] = keeper;
                }
                else
                {
                    gone.Add(keeper);
                }
            }

            foreach (var (service, registration) in wanted)
            {
                if (!next.ContainsKey(service))
                {
                    next[service] = new ConsulTtlService(agent, registration, logger);
                }
            }

            _services = next;
        }

        foreach (var keeper in gone)
        {
            await keeper.DisposeAsync().ConfigureAwait(false);
        }
    }

    public Task ReportAsync(string service, CheckResult result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        ConsulTtlService? keeper;
        lock (_gate)
        {
            _services.TryGetValue(service, out keeper);
        }

        // Consul's script checks read exit code 3 (unknown) as critical; so does the TTL check.
        keeper?.Report(
            result.State switch
            {
                CheckState.Passing => ConsulCheckStatus.Passing,
                CheckState.Warning => ConsulCheckStatus.Warning,
                _ => ConsulCheckStatus.Critical,
            },
            result.Output);
        return Task.CompletedTask;
    }

    /// <summary>The agent's side of <paramref name="status"/>: its check id while registered, and the last error.</summary>
    public HealthCheckStatus Describe(HealthCheckStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        ConsulTtlService? keeper;
        lock (_gate)
        {
            _services.TryGetValue(status.Service, out keeper);
        }

        return keeper is null ? status : status with { AgentCheck = keeper.Registered ? keeper.Registration.CheckId : null, AgentError = keeper.LastError };
    }

    public async ValueTask DisposeAsync()
    {
        List<ConsulTtlService> all;
        lock (_gate)
        {
            all = [.. _services.Values];
            _services = new Dictionary<string, ConsulTtlService>(StringComparer.Ordinal);
        }

        await Task.WhenAll(all.Select(k => k.DisposeAsync().AsTask())).ConfigureAwait(false);
    }

    private static ConsulServiceRegistration Registration(HealthIdentity identity, HealthCheckOptions check, TimeSpan ttl)
    {
        var id = ServiceId(check.Service!, identity.Hostname);
        return new ConsulServiceRegistration
        {
            Id = id,
            Name = check.Service!,
            Port = check.Kind is HealthCheckKind.Tcp ? check.Port : 0,
            Meta = new Dictionary<string, string>(StringComparer.Ordinal) { [NodeMeta] = identity.Hostname },
            CheckId = id + ":check",
            CheckName = $"Tend health of {check.Service} ({check.Describe()})",

            // Renewed every TTL/2 with the last result: it turns critical by itself only when Tend stops.
            CheckTtl = ttl,
        };
    }

    private static bool Same(ConsulServiceRegistration a, ConsulServiceRegistration b) =>
        a.Id == b.Id && a.Name == b.Name && a.Port == b.Port && a.CheckName == b.CheckName && a.CheckTtl == b.CheckTtl
        && a.Meta.Count == b.Meta.Count && a.Meta.All(p => b.Meta.TryGetValue(p.Key, out var v) && v == p.Value);
}

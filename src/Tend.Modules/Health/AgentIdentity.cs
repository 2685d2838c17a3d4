using Tend.Core.Agent;
using Tend.Core.Kv;

namespace Tend.Modules.Health;

/// <summary>
/// On Consul, the node name and the datacenter that <c>[health]</c> does not set come from the local agent
/// (<c>/v1/agent/self</c>): the names Consul's health API, watches and <c>active_nodes</c> use.
/// </summary>
public static class AgentIdentity
{
    /// <summary>
    /// <paramref name="options"/> with <c>hostname</c> and <c>datacenter</c> filled in from <paramref name="agent"/>
    /// where not set; unchanged without an agent or when both are set.
    /// </summary>
    /// <exception cref="HealthUnknownException">The agent did not answer within <paramref name="wait"/> (the message says what to set instead).</exception>
    public static async Task<HealthOptions> ApplyAsync(HealthOptions options, IConsulAgent? agent, TimeSpan wait, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (agent is null || (options.Hostname is not null && options.Datacenter is not null))
        {
            return options;
        }

        var self = await GetSelfAsync(agent, wait, cancellationToken).ConfigureAwait(false);
        var node = options.Hostname;
        if (node is null && self.NodeName.Length > 0)
        {
            node = HealthIdentity.SegmentProblem("hostname", self.NodeName) is { } problem
                ? throw new HealthUnknownException($"the Consul agent's node name: {problem}; set [health] hostname")
                : self.NodeName;
        }

        return options with
        {
            Hostname = node,
            Datacenter = options.Datacenter ?? (self.Datacenter.Length > 0 ? self.Datacenter : null),
        };
    }

    private static async Task<ConsulAgentInfo> GetSelfAsync(IConsulAgent agent, TimeSpan wait, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + wait;
        var delay = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attempt.CancelAfter(TimeSpan.FromSeconds(5));
                return await agent.GetSelfAsync(attempt.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is KvStoreException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                if (ex is KvAuthenticationException || DateTime.UtcNow + delay > deadline)
                {
                    throw new HealthUnknownException($"the node name and datacenter come from the Consul agent when [health] hostname and datacenter are not set, and /v1/agent/self did not answer: {ex.Message}", ex);
                }
            }

            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
        }
    }
}

using Tend.Core.Kv;

namespace Tend.Core.Agent;

/// <summary>Finds the Consul agent behind a store, through the prefix decorator.</summary>
public static class ConsulAgentLookup
{
    /// <summary>The agent API of <paramref name="store"/> when it is (or wraps) the Consul store; otherwise null.</summary>
    public static IConsulAgent? FindConsulAgent(this IKvStore store)
    {
        var current = store;
        while (current is PrefixedKvStore prefixed)
        {
            current = prefixed.Inner;
        }

        return (current as IConsulAgentSource)?.Agent;
    }
}

namespace Tend.Core.Agent;

/// <summary>A store that can also talk to a Consul agent (the Consul store).</summary>
public interface IConsulAgentSource
{
    /// <summary>The agent API on the store's own connection (endpoints, token, TLS, datacenter).</summary>
    IConsulAgent Agent { get; }
}

namespace Tend.Stores.Consul.Wire;

/// <summary><c>Config</c> of <c>/v1/agent/self</c>.</summary>
internal sealed class AgentSelfConfig
{
    public string Datacenter { get; set; } = string.Empty;

    public string NodeName { get; set; } = string.Empty;
}

namespace Tend.Stores.Consul.Wire;

/// <summary>The parts of <c>/v1/agent/self</c> Tend reads.</summary>
internal sealed class AgentSelf
{
    public AgentSelfConfig? Config { get; set; }
}

namespace Tend.Core.Agent;

/// <summary>What the local agent says about itself.</summary>
/// <param name="NodeName">The agent's node name.</param>
/// <param name="Datacenter">The agent's datacenter.</param>
public sealed record ConsulAgentInfo(string NodeName, string Datacenter);

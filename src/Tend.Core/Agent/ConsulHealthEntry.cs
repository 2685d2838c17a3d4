namespace Tend.Core.Agent;

/// <summary>One instance of a service with its node and every check that concerns it (<c>/v1/health/service/:name</c>).</summary>
/// <param name="Node">The node it runs on.</param>
/// <param name="Service">The service instance.</param>
/// <param name="Checks">The node's checks and the instance's.</param>
public sealed record ConsulHealthEntry(ConsulNode Node, ConsulNodeService Service, IReadOnlyList<ConsulHealthCheck> Checks);

namespace Tend.Core.Agent;

/// <summary>One instance of a service as <c>/v1/health/service</c> reports it.</summary>
/// <param name="Datacenter">The datacenter it was read from.</param>
/// <param name="Node">The node name.</param>
/// <param name="NodeAddress">The node's address.</param>
/// <param name="ServiceId">The service id.</param>
/// <param name="ServiceName">The service name.</param>
/// <param name="Address">The service address (the node's when the service has none).</param>
/// <param name="Port">The service port.</param>
/// <param name="Tags">The service tags.</param>
/// <param name="Meta">The service metadata.</param>
/// <param name="Checks">The node's and the service's checks.</param>
public sealed record ConsulServiceInstance(
    string Datacenter,
    string Node,
    string NodeAddress,
    string ServiceId,
    string ServiceName,
    string Address,
    int Port,
    IReadOnlyList<string> Tags,
    IReadOnlyDictionary<string, string> Meta,
    IReadOnlyList<ConsulCheckState> Checks)
{
    /// <summary>The worst status among the checks (passing when there are none).</summary>
    public ConsulCheckStatus AggregatedStatus =>
        Checks.Count == 0 ? ConsulCheckStatus.Passing : Checks.Max(c => c.Status);
}

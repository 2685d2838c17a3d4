using Tend.Modules.Checks;

namespace Tend.Modules.Health;

/// <summary>
/// Where a continuous check's result goes besides the published entry: on Consul, the agent's TTL
/// check (<c>/v1/agent/check/update/ID</c>), so Consul's own health and watches see it. Stores
/// without an agent have none.
/// </summary>
public interface IAgentCheckSink
{
    /// <summary>Reports <paramref name="result"/> of <paramref name="service"/>'s check; failures are the sink's to log, never the check's.</summary>
    Task ReportAsync(string service, CheckResult result, CancellationToken cancellationToken = default);
}

namespace Tend.Core.Agent;

/// <summary>A check as the health endpoints report it, every field as Consul sent it.</summary>
/// <param name="Node">The node it runs on.</param>
/// <param name="CheckId">The check id (<c>_node_maintenance</c>, <c>_service_maintenance:ID</c> for maintenance mode).</param>
/// <param name="Name">The check name.</param>
/// <param name="Status">Its status: <c>passing</c>, <c>warning</c> or <c>critical</c>.</param>
/// <param name="Notes">Its notes.</param>
/// <param name="Output">Its last output.</param>
/// <param name="ServiceId">The service it belongs to; empty for a node check.</param>
/// <param name="ServiceName">That service's name.</param>
/// <param name="ServiceTags">That service's tags, in the order registered.</param>
public sealed record ConsulHealthCheck(
    string Node,
    string CheckId,
    string Name,
    string Status,
    string Notes,
    string Output,
    string ServiceId,
    string ServiceName,
    IReadOnlyList<string> ServiceTags);

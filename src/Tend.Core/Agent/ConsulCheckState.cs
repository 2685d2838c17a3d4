namespace Tend.Core.Agent;

/// <summary>A check as health queries report it.</summary>
/// <param name="CheckId">The check id.</param>
/// <param name="Name">The check name.</param>
/// <param name="Status">Its status (Consul's <c>maintenance</c> counts as critical).</param>
/// <param name="Output">Its last output.</param>
/// <param name="ServiceId">The service it belongs to; empty for a node check.</param>
public sealed record ConsulCheckState(string CheckId, string Name, ConsulCheckStatus Status, string Output, string ServiceId);

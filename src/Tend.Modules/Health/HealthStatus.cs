namespace Tend.Modules.Health;

/// <summary>The health module's state, for <c>/status</c> and <c>/metrics</c>.</summary>
/// <param name="Identity">Who this node is.</param>
/// <param name="Checks">Each continuous check, in configuration order.</param>
/// <param name="Triggers">Each trigger key that fired.</param>
public sealed record HealthStatus(HealthIdentity Identity, IReadOnlyList<HealthCheckStatus> Checks, IReadOnlyList<TriggerStatus> Triggers);

namespace Tend.Modules.Register.Checks;

/// <summary>The outcome of one health check.</summary>
/// <param name="Healthy">True when the service is healthy.</param>
/// <param name="Output">What the check said (command output, HTTP status, connect error), for status and logs.</param>
/// <param name="Duration">How long it took.</param>
public sealed record CheckResult(bool Healthy, string Output, TimeSpan Duration);

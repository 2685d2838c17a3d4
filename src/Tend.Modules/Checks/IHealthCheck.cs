namespace Tend.Modules.Checks;

/// <summary>One service's health check; never throws for an unhealthy service, only for cancellation.</summary>
public interface IHealthCheck
{
    /// <summary>Runs the check once.</summary>
    Task<CheckResult> RunAsync(CancellationToken cancellationToken = default);
}

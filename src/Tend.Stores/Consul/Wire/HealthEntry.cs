namespace Tend.Stores.Consul.Wire;

/// <summary>One element of <c>/v1/health/service/:name</c>.</summary>
internal sealed class HealthEntry
{
    public HealthNode? Node { get; set; }

    public HealthService? Service { get; set; }

    public List<HealthCheck>? Checks { get; set; }
}

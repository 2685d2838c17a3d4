namespace Tend.Modules.Health;

/// <summary>
/// Where a secondary learns whether a primary of its service passes: the entries Tend publishes
/// (<see cref="PublishedPrimaryHealthSource"/>) on every store; on Consul, the agent's
/// <c>/v1/health/service/SERVICE</c> (the Consul store plugs in its own source here).
/// </summary>
public interface IPrimaryHealthSource
{
    /// <summary>The primaries' health for <paramref name="service"/>, seen from <paramref name="identity"/> (which is never counted).</summary>
    /// <exception cref="HealthUnknownException">The source cannot be read.</exception>
    Task<PrimaryHealth> GetAsync(HealthIdentity identity, string service, CancellationToken cancellationToken = default);
}

namespace Tend.Modules.Register;

/// <summary>What <c>/status</c> shows for one service.</summary>
/// <param name="Name">The section name.</param>
/// <param name="Key">The registered key (<c>path/host:port</c>).</param>
/// <param name="Healthy">The health after rise/fall thresholds; <c>null</c> before the first check.</param>
/// <param name="Registered">True while the entry is in the store.</param>
/// <param name="LastCheckOutput">What the last check said.</param>
/// <param name="LastCheckAt">When the last check finished.</param>
/// <param name="LastError">The last store error, if registering or deregistering failed.</param>
/// <param name="Checks">Checks run.</param>
/// <param name="Registrations">Times the entry was created.</param>
/// <param name="Catalog">With <c>catalog = true</c>: true while the service is in the agent's catalog; null otherwise.</param>
public sealed record RegisteredServiceStatus(
    string Name,
    string Key,
    bool? Healthy,
    bool Registered,
    string? LastCheckOutput,
    DateTimeOffset? LastCheckAt,
    string? LastError,
    long Checks,
    long Registrations,
    bool? Catalog = null);

using Tend.Modules.Checks;

namespace Tend.Modules.Health;

/// <summary>
/// Runs a check and reads it for the node's role. primary and standalone: the resource must be up,
/// the check's own result stands. secondary: while a primary passes the resource should be stopped
/// (running is a warning, stopped passes); when no primary passes it must run (stopped is critical,
/// running passes): failover. "Up" is a passing or warning check; critical is down.
/// </summary>
internal sealed class HealthEvaluator(IHealthData data, IPrimaryHealthSource primaries)
{
    /// <summary>The role of <paramref name="identity"/> for <paramref name="service"/>.</summary>
    /// <exception cref="HealthUnknownException">Bad cluster data (naming the key), no environment, or the store does not answer.</exception>
    public async Task<ClusterRole> RoleAsync(HealthIdentity identity, string service, CancellationToken cancellationToken = default)
    {
        var key = identity.ClusterKey(service);
        return ClusterDefinition.RoleOf(key, await data.GetAsync(key, cancellationToken).ConfigureAwait(false), identity);
    }

    /// <summary>Evaluates <paramref name="check"/> for <paramref name="service"/> (<c>null</c>: a plain check, no role).</summary>
    /// <exception cref="HealthUnknownException">The role cannot be read.</exception>
    public async Task<HealthOutcome> EvaluateAsync(HealthIdentity identity, string? service, IHealthCheck check, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(check);
        var role = service is null ? ClusterRole.Standalone : await RoleAsync(identity, service, cancellationToken).ConfigureAwait(false);
        var raw = await check.RunAsync(cancellationToken).ConfigureAwait(false);
        if (role != ClusterRole.Secondary || raw.State == CheckState.Unknown)
        {
            return new HealthOutcome(role, raw, raw);
        }

        var primary = await primaries.GetAsync(identity, service!, cancellationToken).ConfigureAwait(false);
        return new HealthOutcome(role, raw, ForSecondary(raw, primary));
    }

    internal static CheckResult ForSecondary(CheckResult raw, PrimaryHealth primary)
    {
        bool up = raw.State is CheckState.Passing or CheckState.Warning;
        return primary.AnyPassing switch
        {
            null => raw with { State = CheckState.Unknown, Output = $"secondary: cannot tell whether a primary passes ({primary.Description}): {raw.Output}" },
            true when up => raw with { State = CheckState.Warning, Output = $"secondary: running while {primary.Description}: {raw.Output}" },
            true => raw with { State = CheckState.Passing, Output = $"secondary: stopped while {primary.Description}: {raw.Output}" },
            false when up => raw with { Output = $"secondary: running, no primary passes ({primary.Description}): {raw.Output}" },
            false => raw with { State = CheckState.Critical, Output = $"secondary: not running and no primary passes ({primary.Description}): {raw.Output}" },
        };
    }
}

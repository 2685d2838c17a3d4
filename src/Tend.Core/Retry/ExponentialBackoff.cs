namespace Tend.Core.Retry;

/// <summary>
/// Exponential backoff with full jitter: the delay is drawn uniformly from [min, min(max, min·2^(n-1))].
/// Jitter keeps a fleet of agents from reconnecting to a store in lock-step after an outage.
/// </summary>
/// <param name="Minimum">The first delay (and the lower bound of every delay).</param>
/// <param name="Maximum">The cap.</param>
public sealed record ExponentialBackoff(TimeSpan Minimum, TimeSpan Maximum) : IRetryPolicy
{
    /// <summary>The default for store reconnects: 100 ms up to 10 s.</summary>
    public static ExponentialBackoff Default { get; } = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10));

    /// <inheritdoc />
    public TimeSpan NextDelay(int failures)
    {
        var ceiling = Minimum.TotalMilliseconds * Math.Pow(2, Math.Clamp(failures - 1, 0, 30));
        ceiling = Math.Min(ceiling, Maximum.TotalMilliseconds);
        var ms = Minimum.TotalMilliseconds + (Random.Shared.NextDouble() * Math.Max(0, ceiling - Minimum.TotalMilliseconds));
        return TimeSpan.FromMilliseconds(ms);
    }
}

namespace Tend.Core.Retry;

/// <summary>
/// A delay that doubles per consecutive failure from <paramref name="First"/> up to <paramref name="Maximum"/>, without jitter:
/// for local work retried on its own (a render, a Nagios pass), where there is no fleet to spread out and the next
/// attempt's time is shown in <c>/status</c>. Store reconnects use <see cref="ExponentialBackoff"/>.
/// </summary>
/// <param name="First">The delay after the first failure.</param>
/// <param name="Maximum">The cap.</param>
public sealed record DoublingBackoff(TimeSpan First, TimeSpan Maximum) : IRetryPolicy
{
    /// <inheritdoc />
    public TimeSpan NextDelay(int failures)
    {
        var delay = First * Math.Pow(2, Math.Clamp(failures - 1, 0, 16));
        return delay < Maximum ? delay : Maximum;
    }
}

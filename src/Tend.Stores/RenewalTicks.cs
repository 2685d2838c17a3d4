namespace Tend.Stores;

/// <summary>
/// When a lease or session renewal is next due. Renewals of the same period fall on the same
/// instants — the multiples of the period on the monotonic clock — so a hundred registrations wake
/// the process once per period, together, instead of a hundred times at scattered moments: the timer
/// queue fires timers due at the same tick in one pass, and the renewals go out back to back on the
/// store's one connection. The wait is never longer than the period (so a lease renewed every TTL/3
/// still has two renewals' margin) and may be shorter once, right after the registration starts.
/// </summary>
internal static class RenewalTicks
{
    /// <summary>The time from <paramref name="nowMilliseconds"/> to the next multiple of <paramref name="period"/> (in (0, period]).</summary>
    public static TimeSpan UntilNext(TimeSpan period, long nowMilliseconds)
    {
        long p = Math.Max(1, (long)period.TotalMilliseconds);
        long next = ((nowMilliseconds / p) + 1) * p;
        return TimeSpan.FromMilliseconds(next - nowMilliseconds);
    }

    /// <summary>The time to the next renewal tick of <paramref name="period"/>, on <see cref="Environment.TickCount64"/>.</summary>
    public static TimeSpan UntilNext(TimeSpan period) => UntilNext(period, Environment.TickCount64);
}

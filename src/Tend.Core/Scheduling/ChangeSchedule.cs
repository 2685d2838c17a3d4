using Tend.Core.Config;
using Tend.Core.Retry;

namespace Tend.Core.Scheduling;

/// <summary>
/// When a change-driven worker (a render resource, the Nagios generator, an exec hook) runs next: a burst
/// of changes waits out its <see cref="ChangeWait"/> (quiet for min, at most max after its first change), a
/// first run goes at once, and a failed run is tried again after a backoff although nothing changed.
/// Not thread-safe: its owner calls it under the lock that guards its own state.
/// </summary>
public sealed class ChangeSchedule(ChangeWait wait)
{
    /// <summary>The burst wait.</summary>
    public ChangeWait Wait { get; } = wait;

    /// <summary>When the first change of the current burst arrived (<c>null</c>: none waiting).</summary>
    public DateTimeOffset? FirstChange { get; private set; }

    /// <summary>When the last change of the current burst arrived.</summary>
    public DateTimeOffset? LastChange { get; private set; }

    /// <summary>Run at once, without waiting (a first run once the data has loaded).</summary>
    public bool Immediate { get; private set; }

    /// <summary>When to run again although nothing changed: after a failure, or to look again at something awaited.</summary>
    public DateTimeOffset? RetryAt { get; set; }

    /// <summary>Failed runs in a row, for the backoff.</summary>
    public int ConsecutiveFailures { get; private set; }

    /// <summary>A change or an immediate run waits (a retry alone does not count).</summary>
    public bool HasChange => Immediate || FirstChange is not null;

    /// <summary>Anything waits: a change, an immediate run or a retry.</summary>
    public bool Pending => HasChange || RetryAt is not null;

    /// <summary>Records a change at <paramref name="now"/>: it opens a burst, or extends the open one.</summary>
    public void Change(DateTimeOffset now)
    {
        FirstChange ??= now;
        LastChange = now;
    }

    /// <summary>Asks for a run at once.</summary>
    public void RunNow() => Immediate = true;

    /// <summary>When the next run is due, or <c>null</c> when nothing waits: at once, at the burst's end, or at the retry, whichever is first.</summary>
    public DateTimeOffset? DueAt()
    {
        if (Immediate)
        {
            return DateTimeOffset.MinValue;
        }

        DateTimeOffset? due = RetryAt;
        if (FirstChange is { } first && LastChange is { } last)
        {
            var quiet = last + Wait.Min;
            var latest = first + Wait.Max;
            var change = quiet < latest ? quiet : latest;
            due = due is { } retry && retry < change ? retry : change;
        }

        return due;
    }

    /// <summary>Forgets what waits: called when a run takes it.</summary>
    public void Clear()
    {
        Immediate = false;
        RetryAt = null;
        FirstChange = null;
        LastChange = null;
    }

    /// <summary>A run succeeded: the backoff starts over.</summary>
    public void Succeeded() => ConsecutiveFailures = 0;

    /// <summary>A run failed at <paramref name="now"/>: counts it and, with a <paramref name="retry"/> policy, schedules the next attempt.</summary>
    /// <param name="now">The time of the failure.</param>
    /// <param name="retry">The backoff; <c>null</c> when only a change can help (nothing is scheduled).</param>
    public void Failed(DateTimeOffset now, IRetryPolicy? retry)
    {
        ConsecutiveFailures++;
        if (retry is not null)
        {
            RetryAt = now + retry.NextDelay(ConsecutiveFailures);
        }
    }
}

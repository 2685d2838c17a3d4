using Tend.Core.Config;
using Tend.Core.Mirror;
using Tend.Core.Retry;
using Tend.Core.Scheduling;

namespace Tend.Modules.Hooks;

/// <summary>
/// A mirror worker whose work a <see cref="ChangeSchedule"/> times: its updates record changes in
/// <see cref="Schedule"/> (under <see cref="MirrorWorker.Gate"/>), and one loop runs the work when it is
/// due — once a burst is quiet for <c>wait.min</c> (at most <c>wait.max</c> after its first change), at once
/// after <see cref="ChangeSchedule.RunNow"/>, or when a failed run's retry comes (with a <see cref="RetryPolicy"/>).
/// The loop outlives any failure of the work. The Nagios generator and the exec hooks run on it.
/// </summary>
internal abstract class ScheduledMirrorWorker : MirrorWorker
{
    /// <summary>The longest sleep: waking early costs nothing, and a semaphore wait cannot exceed ~24 days.</summary>
    private static readonly TimeSpan LongestSleep = TimeSpan.FromHours(1);

    protected ScheduledMirrorWorker(KvMirror mirror, ChangeWait wait, TimeProvider? time)
        : base(mirror)
    {
        Schedule = new ChangeSchedule(wait);
        Time = time ?? TimeProvider.System;
    }

    /// <summary>When the work runs next; read and changed under <see cref="MirrorWorker.Gate"/> only.</summary>
    protected ChangeSchedule Schedule { get; }

    protected TimeProvider Time { get; }

    /// <summary>How a failed run is tried again without a change; <c>null</c>: never (only the next change runs it).</summary>
    protected virtual IRetryPolicy? RetryPolicy => null;

    protected sealed override async Task RunAsync(CancellationToken cancellationToken)
    {
        await BeforeFirstRunAsync(cancellationToken).ConfigureAwait(false);
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan sleep;
            bool due;
            lock (Gate)
            {
                var now = Time.GetUtcNow();
                var at = Schedule.DueAt();
                due = at is { } a && a <= now;
                if (due)
                {
                    Schedule.Clear();
                    TakeDue();
                }

                sleep = due ? TimeSpan.Zero : at is { } next ? Min(next - now, LongestSleep) : Timeout.InfiniteTimeSpan;
            }

            if (!due)
            {
                await SleepAsync(sleep, cancellationToken).ConfigureAwait(false);
                continue;
            }

            bool ok;
            try
            {
                ok = await RunDueAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                // A run reports its own failures; this only guards the loop, which must outlive any bug.
                RunFailedUnexpectedly(ex);
                ok = false;
            }

            lock (Gate)
            {
                if (ok)
                {
                    Schedule.Succeeded();
                }
                else
                {
                    Schedule.Failed(Time.GetUtcNow(), RetryPolicy);
                }
            }

            RunCompleted();
        }
    }

    /// <summary>Runs before the loop starts (e.g. waits for the first load and asks for a first run).</summary>
    protected virtual Task BeforeFirstRunAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Called under <see cref="MirrorWorker.Gate"/> when a run is due, after the schedule was cleared: take what the run works on.</summary>
    protected virtual void TakeDue()
    {
    }

    /// <summary>The work; true when all of it succeeded.</summary>
    protected abstract Task<bool> RunDueAsync(CancellationToken cancellationToken);

    /// <summary>Reports an exception a run did not handle itself (a bug); the run counts as failed.</summary>
    protected abstract void RunFailedUnexpectedly(Exception exception);

    /// <summary>Called after every run, outside the lock.</summary>
    protected virtual void RunCompleted()
    {
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}

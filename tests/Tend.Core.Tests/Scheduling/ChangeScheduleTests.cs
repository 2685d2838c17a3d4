using Tend.Core.Config;
using Tend.Core.Retry;
using Tend.Core.Scheduling;
using Xunit;

namespace Tend.Core.Tests.Scheduling;

public sealed class ChangeScheduleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly ChangeWait Wait = new(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10));

    [Fact]
    public void DueAt_NothingRecorded_Null()
    {
        var s = new ChangeSchedule(Wait);

        Assert.Null(s.DueAt());
        Assert.False(s.Pending);
    }

    [Fact]
    public void DueAt_OneChange_QuietPeriodAfterIt()
    {
        var s = new ChangeSchedule(Wait);

        s.Change(T0);

        Assert.Equal(T0 + TimeSpan.FromSeconds(2), s.DueAt());
        Assert.True(s.HasChange);
    }

    [Fact]
    public void DueAt_ChangesKeepComing_NoLaterThanMaxAfterTheFirst()
    {
        var s = new ChangeSchedule(Wait);

        for (int i = 0; i <= 12; i++)
        {
            s.Change(T0 + TimeSpan.FromSeconds(i));
        }

        Assert.Equal(T0 + TimeSpan.FromSeconds(10), s.DueAt());
    }

    [Fact]
    public void DueAt_RunNow_DueAtOnceWhateverElseWaits()
    {
        var s = new ChangeSchedule(Wait);
        s.Change(T0);

        s.RunNow();

        Assert.Equal(DateTimeOffset.MinValue, s.DueAt());
    }

    [Fact]
    public void DueAt_RetryBeforeTheBurstEnds_TheRetry()
    {
        var s = new ChangeSchedule(Wait) { RetryAt = T0 + TimeSpan.FromSeconds(1) };

        s.Change(T0);

        Assert.Equal(T0 + TimeSpan.FromSeconds(1), s.DueAt());
        Assert.True(s.Pending);
    }

    [Fact]
    public void Clear_AfterChangesRetryAndRunNow_NothingPending()
    {
        var s = new ChangeSchedule(Wait) { RetryAt = T0 };
        s.Change(T0);
        s.RunNow();

        s.Clear();

        Assert.Null(s.DueAt());
        Assert.False(s.Pending);
    }

    [Fact]
    public void Failed_ConsecutiveFailures_RetryAfterADoublingDelayUntilSucceeded()
    {
        var s = new ChangeSchedule(Wait);
        var backoff = new DoublingBackoff(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(12));

        s.Failed(T0, backoff);
        Assert.Equal(T0 + TimeSpan.FromSeconds(5), s.RetryAt);
        s.Failed(T0, backoff);
        Assert.Equal(T0 + TimeSpan.FromSeconds(10), s.RetryAt);
        s.Failed(T0, backoff);
        Assert.Equal(T0 + TimeSpan.FromSeconds(12), s.RetryAt);
        Assert.Equal(3, s.ConsecutiveFailures);

        s.Succeeded();
        s.Failed(T0, backoff);
        Assert.Equal(T0 + TimeSpan.FromSeconds(5), s.RetryAt);
    }

    [Fact]
    public void Failed_WithoutRetryPolicy_CountsButSchedulesNothing()
    {
        var s = new ChangeSchedule(Wait);

        s.Failed(T0, retry: null);

        Assert.Equal(1, s.ConsecutiveFailures);
        Assert.Null(s.DueAt());
    }
}

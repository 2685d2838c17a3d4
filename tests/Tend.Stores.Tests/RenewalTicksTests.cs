using Xunit;

namespace Tend.Stores.Tests;

public sealed class RenewalTicksTests
{
    [Theory]
    [InlineData(0, 3333)]
    [InlineData(1, 3332)]
    [InlineData(3332, 1)]
    [InlineData(3333, 3333)]
    [InlineData(1_000_000, 3_233)]
    public void UntilNext_AnyMoment_WaitsToTheNextMultipleAndNeverLongerThanThePeriod(long now, long expectedMilliseconds)
    {
        var wait = RenewalTicks.UntilNext(TimeSpan.FromMilliseconds(3333), now);

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), wait);
        Assert.InRange(wait, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(3333));
    }

    [Fact]
    public void UntilNext_RegistrationsStartedAtDifferentMoments_RenewAtTheSameInstant()
    {
        var period = TimeSpan.FromSeconds(5);
        long[] starts = [10_001, 12_345, 14_999];

        var due = starts.Select(s => s + (long)RenewalTicks.UntilNext(period, s).TotalMilliseconds).Distinct().ToArray();

        Assert.Equal([15_000L], due);
    }

    [Fact]
    public void UntilNext_PeriodBelowAMillisecond_StillWaitsAndMoves()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(1), RenewalTicks.UntilNext(TimeSpan.FromTicks(10), 42));
    }
}

using Tend.Core.Retry;
using Xunit;

namespace Tend.Core.Tests.Retry;

public sealed class DoublingBackoffTests
{
    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 10)]
    [InlineData(3, 20)]
    [InlineData(7, 300)]
    [InlineData(1000, 300)]
    public void NextDelay_Failures_DoublesFromFirstUpToTheCapWithoutJitter(int failures, int seconds)
    {
        var backoff = new DoublingBackoff(TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5));

        Assert.Equal(TimeSpan.FromSeconds(seconds), backoff.NextDelay(failures));
    }
}

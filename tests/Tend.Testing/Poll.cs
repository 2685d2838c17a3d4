using Xunit;

namespace Tend.Testing;

/// <summary>Waits for something a background loop does, failing the test with what was awaited when it does not happen in time.</summary>
public static class Poll
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    /// <summary>Returns once <paramref name="condition"/> holds; fails the test after <paramref name="timeout"/>.</summary>
    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string? what = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return Until(() => Task.FromResult(condition()), timeout, () => Failure(timeout, what));
    }

    /// <summary>Returns once <paramref name="condition"/> answers true; fails the test after <paramref name="timeout"/>.</summary>
    public static Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string? what = null) =>
        Until(condition, timeout, () => Failure(timeout, what));

    /// <summary>
    /// Returns once <paramref name="condition"/> answers true; fails the test after <paramref name="timeout"/> with
    /// what <paramref name="state"/> says of that moment (the values compared, a log).
    /// </summary>
    public static Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return Until(condition, timeout, () => $"not met within {timeout.TotalSeconds:0.###} s: {state()}");
    }

    private static async Task Until(Func<Task<bool>> condition, TimeSpan timeout, Func<string> failure)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow >= deadline)
            {
                Assert.Fail(failure());
            }

            await Task.Delay(Interval);
        }
    }

    private static string Failure(TimeSpan timeout, string? what) =>
        $"{what ?? "condition"} not met within {timeout.TotalSeconds:0.###} s";
}

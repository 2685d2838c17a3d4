namespace Tend.Core.Retry;

/// <summary>How long to wait before the next attempt after consecutive failures.</summary>
public interface IRetryPolicy
{
    /// <summary>The delay before attempt <paramref name="failures"/> + 1, given <paramref name="failures"/> consecutive failures (≥ 1).</summary>
    TimeSpan NextDelay(int failures);
}

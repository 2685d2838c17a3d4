namespace Tend.Modules.Health;

/// <summary>What a trigger run did.</summary>
/// <param name="ExitCode">The exit code (-1 when it was killed or could not start).</param>
/// <param name="TimedOut">True when the timeout killed it.</param>
/// <param name="Output">Its output (stdout then stderr, trimmed), for the log.</param>
/// <param name="Error">Why it did not run or failed, in one line; <c>null</c> on success.</param>
/// <param name="Duration">Wall time.</param>
public sealed record TriggerResult(int ExitCode, bool TimedOut, string Output, string? Error, TimeSpan Duration)
{
    /// <summary>True for exit 0 within the timeout.</summary>
    public bool Succeeded => Error is null;
}

namespace Tend.Core.Processes;

/// <summary>What a command did.</summary>
/// <param name="ExitCode">The exit code (-1 when it was killed or could not start).</param>
/// <param name="StandardOutput">Captured stdout (truncated to the spec's limit).</param>
/// <param name="StandardError">Captured stderr (truncated to the spec's limit).</param>
/// <param name="TimedOut">True when the timeout killed it.</param>
/// <param name="Duration">Wall time.</param>
public sealed record CommandResult(int ExitCode, string StandardOutput, string StandardError, bool TimedOut, TimeSpan Duration)
{
    /// <summary>True for exit code 0 within the timeout.</summary>
    public bool Succeeded => ExitCode == 0 && !TimedOut;

    /// <summary>One line for logs and status: <c>exit 1 after 12 ms: first line of stderr</c>.</summary>
    public string Summary
    {
        get
        {
            var what = TimedOut ? "timed out" : $"exit {ExitCode}";
            var text = (StandardError.Length > 0 ? StandardError : StandardOutput).Trim();
            int nl = text.IndexOf('\n', StringComparison.Ordinal);
            if (nl >= 0)
            {
                text = text[..nl] + " …";
            }

            return text.Length == 0 ? $"{what} after {Duration.TotalMilliseconds:F0} ms" : $"{what} after {Duration.TotalMilliseconds:F0} ms: {text}";
        }
    }
}

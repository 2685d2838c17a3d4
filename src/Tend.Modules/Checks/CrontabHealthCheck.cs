using Tend.Core.Processes;

namespace Tend.Modules.Checks;

/// <summary>
/// A user's crontab exists (<c>crontab -u USER -l</c>) and, with a pattern, one of its active lines
/// (not a comment) contains the pattern as plain text.
/// </summary>
internal sealed class CrontabHealthCheck(ICommandRunner runner, string user, string? pattern, TimeSpan timeout) : IHealthCheck
{
    public async Task<CheckResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var r = await runner.RunAsync(new CommandSpec(ShellWords.CommandLine("crontab", ["-u", user, "-l"]), timeout), cancellationToken).ConfigureAwait(false);
        if (r.TimedOut)
        {
            return new CheckResult(CheckState.Unknown, $"crontab -l of {user} timed out", r.Duration);
        }

        var error = ServiceHealthCheck.FirstLine(r.StandardError);
        if (r.ExitCode != 0)
        {
            // Debian's crontab says "no crontab for USER"; anything else (unknown user, no crontab binary, not allowed) means we cannot tell.
            return error.Contains("no crontab for", StringComparison.Ordinal)
                ? new CheckResult(CheckState.Critical, $"no crontab for {user}", r.Duration)
                : new CheckResult(CheckState.Unknown, $"crontab -u {user} -l failed (exit {r.ExitCode}): {error}", r.Duration);
        }

        if (pattern is null)
        {
            return new CheckResult(CheckState.Passing, $"crontab for {user} exists", r.Duration);
        }

        bool found = r.StandardOutput.Split('\n')
            .Select(l => l.Trim())
            .Any(l => l.Length > 0 && l[0] != '#' && l.Contains(pattern, StringComparison.Ordinal));
        return found
            ? new CheckResult(CheckState.Passing, $"crontab for {user} contains \"{pattern}\"", r.Duration)
            : new CheckResult(CheckState.Critical, $"crontab for {user} has no active line containing \"{pattern}\"", r.Duration);
    }
}

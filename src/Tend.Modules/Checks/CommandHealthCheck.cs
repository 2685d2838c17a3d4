using Tend.Core.Processes;

namespace Tend.Modules.Checks;

/// <summary>
/// A shell command as a check, the way Nagios plugins and Consul script checks report: exit 0
/// passing, 1 warning, 3 unknown, any other code critical; a timeout is critical.
/// </summary>
internal sealed class CommandHealthCheck(ICommandRunner runner, string command, TimeSpan timeout, IReadOnlyDictionary<string, string> environment) : IHealthCheck
{
    public async Task<CheckResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var r = await runner.RunAsync(new CommandSpec(command, timeout) { Environment = environment }, cancellationToken).ConfigureAwait(false);
        var output = (r.StandardOutput + r.StandardError).Trim();
        if (r.TimedOut)
        {
            return new CheckResult(CheckState.Critical, $"timed out after {timeout.TotalSeconds:F0} s", r.Duration);
        }

        if (r.ExitCode < 0)
        {
            return new CheckResult(CheckState.Unknown, output.Length == 0 ? "the command could not start" : output, r.Duration);
        }

        var text = output.Length == 0 ? $"exit {r.ExitCode}" : $"exit {r.ExitCode}: {output}";
        return new CheckResult(CheckStates.FromExitCode(r.ExitCode), text, r.Duration);
    }
}

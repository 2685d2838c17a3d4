using Tend.Core.Processes;

namespace Tend.Modules.Register.Checks;

/// <summary>zk_watcher's check: a shell command, healthy on exit 0, with a timeout.</summary>
internal sealed class CommandHealthCheck(ICommandRunner runner, string command, TimeSpan timeout, IReadOnlyDictionary<string, string> environment) : IHealthCheck
{
    public async Task<CheckResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var r = await runner.RunAsync(new CommandSpec(command, timeout) { Environment = environment }, cancellationToken).ConfigureAwait(false);
        var output = (r.StandardOutput + r.StandardError).Trim();
        var text = r.TimedOut ? $"timed out after {timeout.TotalSeconds:F0} s" : output.Length == 0 ? $"exit {r.ExitCode}" : $"exit {r.ExitCode}: {output}";
        return new CheckResult(r.Succeeded, text, r.Duration);
    }
}

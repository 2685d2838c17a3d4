using Tend.Core.Processes;

namespace Tend.Modules.Checks;

/// <summary>
/// Whether a system service runs: <c>systemctl is-active NAME</c> where systemd is PID 1, otherwise
/// <c>service NAME status</c> read by the LSB exit codes (0 running; 1, 2, 3 not running; 4 unknown).
/// </summary>
internal sealed class ServiceHealthCheck(ICommandRunner runner, string service, TimeSpan timeout, bool systemd) : IHealthCheck
{
    /// <summary>True when systemd manages this host (what sd_booted(3) tests).</summary>
    public static bool SystemdIsRunning() => Directory.Exists("/run/systemd/system");

    public async Task<CheckResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var command = systemd
            ? ShellWords.CommandLine("systemctl", ["is-active", "--", service])
            : ShellWords.CommandLine("service", [service, "status"]);
        var r = await runner.RunAsync(new CommandSpec(command, timeout), cancellationToken).ConfigureAwait(false);
        var output = FirstLine(r.StandardOutput.Trim().Length > 0 ? r.StandardOutput : r.StandardError);
        if (r.TimedOut)
        {
            return new CheckResult(CheckState.Unknown, $"{service}: status timed out after {timeout.TotalSeconds:F0} s", r.Duration);
        }

        if (r.ExitCode is < 0 or 126 or 127)
        {
            return new CheckResult(CheckState.Unknown, $"{service}: {(systemd ? "systemctl" : "service")} could not run: {output}", r.Duration);
        }

        if (systemd)
        {
            // is-active prints the state (active, inactive, failed, activating, …) and exits 0 only when active.
            return r.ExitCode == 0
                ? new CheckResult(CheckState.Passing, $"{service} is {Or(output, "active")}", r.Duration)
                : new CheckResult(CheckState.Critical, $"{service} is {Or(output, "not active")}", r.Duration);
        }

        return r.ExitCode switch
        {
            0 => new CheckResult(CheckState.Passing, $"{service} is running{Detail(output)}", r.Duration),
            1 when output.Contains("unrecognized service", StringComparison.Ordinal) =>
                new CheckResult(CheckState.Unknown, $"{service}: no such service{Detail(output)}", r.Duration),
            1 or 2 or 3 => new CheckResult(CheckState.Critical, $"{service} is not running (LSB status {r.ExitCode}){Detail(output)}", r.Duration),
            _ => new CheckResult(CheckState.Unknown, $"{service}: status unknown (LSB status {r.ExitCode}){Detail(output)}", r.Duration),
        };
    }

    internal static string FirstLine(string text)
    {
        text = text.Trim();
        int nl = text.IndexOf('\n', StringComparison.Ordinal);
        return nl < 0 ? text : text[..nl].TrimEnd();
    }

    private static string Or(string text, string fallback) => text.Length == 0 ? fallback : text;

    private static string Detail(string output) => output.Length == 0 ? string.Empty : ": " + output;
}

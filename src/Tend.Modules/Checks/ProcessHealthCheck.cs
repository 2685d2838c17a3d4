using Tend.Core.Processes;

namespace Tend.Modules.Checks;

/// <summary>
/// Nagios' <c>check_procs</c> with the operator's arguments, its exit code and first output line
/// passed on; where the plugin is not installed, <see cref="NativeProcessScan"/> answers the common
/// forms the same way, and any other form is unknown.
/// </summary>
internal sealed class ProcessHealthCheck(ICommandRunner runner, IReadOnlyList<string> arguments, TimeSpan timeout, string? plugin) : IHealthCheck
{
    /// <summary>Where Debian, Red Hat and source installs put the plugin.</summary>
    public static readonly string[] PluginLocations =
    [
        "/usr/lib/nagios/plugins/check_procs",
        "/usr/lib64/nagios/plugins/check_procs",
        "/usr/local/nagios/libexec/check_procs",
        "/usr/lib/monitoring-plugins/check_procs",
    ];

    /// <summary>The first installed plugin of <see cref="PluginLocations"/>, or <c>null</c>.</summary>
    public static string? FindPlugin() => PluginLocations.FirstOrDefault(File.Exists);

    public async Task<CheckResult> RunAsync(CancellationToken cancellationToken = default)
    {
        if (plugin is null)
        {
            var query = ProcessQuery.TryParse(arguments, out var unsupported);
            return query is null
                ? new CheckResult(CheckState.Unknown, $"check_procs is not installed (monitoring-plugins-basic) and {unsupported}", TimeSpan.Zero)
                : NativeProcessScan.Run(query);
        }

        // exec: the plugin's parent is this process, which check_procs leaves out of its count (a
        // "-a name" would otherwise count the tend process whose own arguments hold the name).
        var r = await runner.RunAsync(new CommandSpec("exec " + ShellWords.CommandLine(plugin, arguments), timeout), cancellationToken).ConfigureAwait(false);
        if (r.TimedOut)
        {
            return new CheckResult(CheckState.Unknown, $"check_procs timed out after {timeout.TotalSeconds:F0} s", r.Duration);
        }

        var output = ServiceHealthCheck.FirstLine(r.StandardOutput.Trim().Length > 0 ? r.StandardOutput : r.StandardError);
        return r.ExitCode < 0
            ? new CheckResult(CheckState.Unknown, $"check_procs could not run: {output}", r.Duration)
            : new CheckResult(CheckStates.FromExitCode(r.ExitCode), output, r.Duration);
    }
}

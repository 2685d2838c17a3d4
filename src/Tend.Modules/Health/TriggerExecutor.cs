using System.Diagnostics;
using Tend.Core.Processes;

namespace Tend.Modules.Health;

/// <summary>
/// Runs one trigger: a value starting with <c>#!</c> is written to a private temporary file (mode
/// 0700, removed afterwards) and executed; anything else runs with <c>/bin/sh -c</c>. Placeholders are
/// substituted by <see cref="TriggerPlaceholders"/>; the values are also in the environment
/// (<c>TEND_ENV</c>, <c>TEND_HOST</c>, <c>TEND_ROLE</c>, <c>TEND_SERVICE</c>, <c>TEND_STATE</c>,
/// <c>TEND_CLUSTER_ROLE</c>).
/// </summary>
internal sealed class TriggerExecutor(ICommandRunner runner, TimeSpan timeout)
{
    public TimeSpan Timeout => timeout;

    public async Task<TriggerResult> RunAsync(TriggerRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var sw = Stopwatch.StartNew();
        var env = new Dictionary<string, string>
        {
            ["TEND_ENV"] = request.Identity.Environment ?? string.Empty,
            ["TEND_HOST"] = request.Identity.Hostname,
            ["TEND_ROLE"] = request.Identity.Role ?? string.Empty,
            ["TEND_SERVICE"] = request.Service,
            ["TEND_STATE"] = request.State,
            ["TEND_CLUSTER_ROLE"] = request.Role.Name(),
        };

        if (!request.Value.StartsWith("#!", StringComparison.Ordinal))
        {
            return Result(await runner.RunAsync(new CommandSpec(TriggerPlaceholders.ForShell(request.Value), timeout) { Environment = env }, cancellationToken).ConfigureAwait(false));
        }

        string? script = TriggerPlaceholders.IsShellScript(request.Value)
            ? TriggerPlaceholders.ForShell(request.Value)
            : TriggerPlaceholders.ForOtherInterpreter(request.Value, env, out var refused)
                ?? throw new HealthUnknownException($"{request.Key}: {refused} is not plain text, and the script's interpreter is not a shell that could take it quoted; read $TEND_ENV, $TEND_HOST or $TEND_ROLE from the environment instead");
        var path = WritePrivate(script);
        try
        {
            return Result(await runner.RunAsync(new CommandSpec("exec " + ShellWords.Quote(path), timeout) { Environment = env }, cancellationToken).ConfigureAwait(false));
        }
        finally
        {
            File.Delete(path);
        }

        TriggerResult Result(CommandResult r)
        {
            var output = (r.StandardOutput + r.StandardError).Trim();
            string? error = r.TimedOut ? $"timed out after {timeout.TotalSeconds:F0} s" : r.ExitCode == 0 ? null : r.Summary;
            return new TriggerResult(r.ExitCode, r.TimedOut, output, error, sw.Elapsed);
        }
    }

    /// <summary>A new file only this user can read, write and run, holding <paramref name="script"/>.</summary>
    private static string WritePrivate(string script)
    {
        var path = Path.Combine(Path.GetTempPath(), $"tend-trigger-{Guid.NewGuid():N}");
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
        };
        using (var file = new FileStream(path, options))
        using (var writer = new StreamWriter(file))
        {
            writer.Write(script);
        }

        return path;
    }
}

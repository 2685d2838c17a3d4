using Tend.Core.Files;
using Tend.Core.Kv;
using Tend.Core.Processes;
using Tend.Modules.Render;

namespace Tend.Modules.Hooks.Nagios;

internal sealed partial class NagiosGenerator
{
    private const string StagedConfigPlaceholder = "{{.config}}";

    /// <summary>
    /// Installs the files that differ from what is on disk, but only when Nagios accepts them. With
    /// <c>{{.config}}</c> in <c>check_cmd</c> the check reads a staged copy of the main configuration
    /// that points at the staged files, so the installed tree never holds a file Nagios rejected;
    /// without it the files are installed, checked, and the previous ones put back on failure.
    /// True when the files are current afterwards.
    /// </summary>
    private async Task<bool> InstallAsync(List<GeneratedFile> files, KvSnapshot snapshot, CancellationToken cancellationToken)
    {
        var changed = files.Where(f => !AtomicFile.IsUpToDate(f.Destination, f.Content)).ToList();
        var now = Time.GetUtcNow();
        if (changed.Count == 0)
        {
            lock (Gate)
            {
                _status = _status with { LastGenerate = now, LastError = null };
            }

            return true;
        }

        var staged = new List<StagedFile>(changed.Count);
        string? failure = null;
        var checkFailed = false;
        try
        {
            foreach (var f in changed)
            {
                staged.Add(AtomicFile.Stage(f.Destination, f.Content));
            }

            string? error;
            if (_options.CheckCommand.Length == 0)
            {
                Commit(staged);
                error = null;
            }
            else if (_options.CheckCommand.Contains(StagedConfigPlaceholder, StringComparison.Ordinal))
            {
                error = await CheckStagedAsync(staged, cancellationToken).ConfigureAwait(false);
                if (error is null)
                {
                    Commit(staged);
                }
            }
            else
            {
                error = await InstallCheckRestoreAsync(changed, staged, cancellationToken).ConfigureAwait(false);
            }

            if (error is not null)
            {
                failure = error;
                checkFailed = true;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            failure = $"cannot write the files, the previous ones stay: {ex.Message}";
        }
        finally
        {
            foreach (var s in staged)
            {
                s.Dispose();
            }
        }

        // The failure is published only after the staged files are gone, so whoever reads the
        // status (an operator, a test) never finds a failed pass's staged file beside the installed ones.
        if (failure is not null)
        {
            Failed(failure, check: checkFailed);
            return false;
        }

        lock (Gate)
        {
            _reloadPending = true;
            _status = _status with { LastGenerate = now, LastWrite = now, Writes = _status.Writes + 1, LastError = null };
        }

        Log.Installed(_logger, string.Join(", ", changed.Select(f => Path.GetFileName(f.Destination))), _status.Hosts, snapshot.Revision);
        return true;
    }

    private static void Commit(List<StagedFile> staged)
    {
        foreach (var s in staged)
        {
            s.Commit();
        }
    }

    /// <summary>Runs the check on a staged main configuration that reads the staged files; the error, or <c>null</c> when Nagios accepts them.</summary>
    private async Task<string?> CheckStagedAsync(List<StagedFile> staged, CancellationToken cancellationToken)
    {
        var main = Path.GetFullPath(_options.MainConfig);
        string text;
        try
        {
            text = await File.ReadAllTextAsync(main, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"cannot read main_config {main}: {ex.Message}";
        }

        var substitutes = staged.ToDictionary(s => s.Destination, s => s.Path, StringComparer.Ordinal);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var stagedText = NagiosMainConfig.Stage(text, Path.GetDirectoryName(main)!, substitutes, used);
        if (!_warnedUnreferenced)
        {
            _warnedUnreferenced = true;
            foreach (var dest in new[] { _options.HostsFile, _options.GroupsFile }.Where(d => substitutes.ContainsKey(d) && !used.Contains(d)))
            {
                Log.Unreferenced(_logger, dest, main);
            }
        }

        var dir = Directory.CreateTempSubdirectory("tend-nagios-check-");
        try
        {
            // Readable like the original, for a check_cmd that drops to the nagios user.
            dir.UnixFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
            var config = Path.Combine(dir.FullName, Path.GetFileName(main));
            await File.WriteAllTextAsync(config, stagedText, cancellationToken).ConfigureAwait(false);
            File.SetUnixFileMode(config, File.GetUnixFileMode(main));
            var result = await RunCheckAsync(config, cancellationToken).ConfigureAwait(false);
            return result.Succeeded ? null : $"check_cmd rejected the new files, the previous ones stay and Nagios is not reloaded: {CheckSummary(result)}";
        }
        finally
        {
            try
            {
                dir.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A temp directory left behind is harmless.
            }
        }
    }

    /// <summary>
    /// For a <c>check_cmd</c> that reads the installed tree: install, check, and put the previous
    /// content back (or remove a file that did not exist) when the check fails.
    /// </summary>
    private async Task<string?> InstallCheckRestoreAsync(List<GeneratedFile> changed, List<StagedFile> staged, CancellationToken cancellationToken)
    {
        var previous = changed.Select(f => File.Exists(f.Destination) ? File.ReadAllBytes(f.Destination) : null).ToList();
        Commit(staged);
        var result = await RunCheckAsync(_options.MainConfig, cancellationToken).ConfigureAwait(false);
        if (result.Succeeded)
        {
            return null;
        }

        for (int i = 0; i < changed.Count; i++)
        {
            if (previous[i] is { } old)
            {
                AtomicFile.Write(changed[i].Destination, old);
            }
            else
            {
                File.Delete(changed[i].Destination);
            }
        }

        return $"check_cmd rejected the new files, the previous ones were put back and Nagios is not reloaded: {CheckSummary(result)}";
    }

    private Task<CommandResult> RunCheckAsync(string config, CancellationToken cancellationToken)
    {
        // Both values are paths, shell-quoted where they land: a main_config under "/srv/my nagios" stays one argument.
        var command = ShellCommandTemplate.Parse("check_cmd", _options.MainConfig, _options.CheckCommand, "config", "main_config")
            .Expand(config, Path.GetFullPath(_options.MainConfig));
        return _runner.RunAsync(new CommandSpec(command, _options.CheckTimeout), cancellationToken);
    }

    /// <summary>Nagios prints its verdict on stdout among banner lines: keep the lines that say what is wrong.</summary>
    private static string CheckSummary(CommandResult result)
    {
        var errors = result.StandardOutput.Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.StartsWith("Error:", StringComparison.Ordinal) || l.StartsWith("Warning:", StringComparison.Ordinal))
            .Take(3)
            .ToList();
        return errors.Count == 0 ? result.Summary : $"{(result.TimedOut ? "timed out" : $"exit {result.ExitCode}")}: {string.Join(" | ", errors)}";
    }
}

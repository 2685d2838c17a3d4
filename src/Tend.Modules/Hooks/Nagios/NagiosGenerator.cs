using Microsoft.Extensions.Logging;
using Tend.Core.Files;
using Tend.Core.Kv;
using Tend.Core.Mirror;
using Tend.Core.Processes;
using Tend.Core.Retry;
using Tend.Modules.Hooks.Inventory;

namespace Tend.Modules.Hooks.Nagios;

/// <summary>
/// The Nagios inventory generator: one loop per configuration. A change under the root marks a pass
/// due after the quiet period (<c>wait</c>); a pass renders the files from the mirror's current
/// snapshot — so a burst is written once and its last change is always in it — installs them only
/// when Nagios accepts them, reloads Nagios, and resets the known_hosts entries of the hosts that
/// were added or changed since the last pass. Any failure is logged, shown in <c>/status</c>, and
/// retried with backoff; it never stops the loop.
/// </summary>
internal sealed partial class NagiosGenerator : ScheduledMirrorWorker
{
    private readonly NagiosOptions _options;
    private readonly HostInventory _inventory;
    private readonly NagiosTemplates _templates;
    private readonly ICommandRunner _runner;
    private readonly KnownHostsResetter? _ssh;
    private readonly ILogger _logger;
    private readonly Dictionary<string, SshChange> _sshPending = new(StringComparer.Ordinal);
    private bool _synced;
    private bool _reloadPending;
    private bool _warnedUnreferenced;
    private IReadOnlyList<string> _lastIgnored = [];
    private NagiosStatus _status;

    public NagiosGenerator(NagiosOptions options, HostInventory inventory, NagiosTemplates templates, KvMirror mirror, ICommandRunner runner, ILogger logger, TimeProvider? time = null)
        : base(mirror, options.Wait, time)
    {
        _options = options;
        _inventory = inventory;
        _templates = templates;
        _runner = runner;
        _logger = logger;
        _ssh = options.SshReset ? new KnownHostsResetter(options, runner, logger) : null;
        _status = new NagiosStatus { HostsFile = options.HostsFile };
    }

    /// <summary>The options this generator runs with.</summary>
    public NagiosOptions Options => _options;

    /// <summary>The first retry delay after a failed pass; doubles per failure up to <see cref="MaxRetryDelay"/>.</summary>
    internal TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest retry delay.</summary>
    internal TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Called after every pass (benchmarks and tests time the pipeline with it).</summary>
    internal Action<NagiosStatus>? PassCompleted { get; set; }

    public NagiosStatus Status
    {
        get
        {
            lock (Gate)
            {
                return _status with { SshPending = _sshPending.Count };
            }
        }
    }

    /// <summary>Takes over what a replaced generator had not finished: known_hosts resets and a reload.</summary>
    public void Inherit(NagiosGenerator previous)
    {
        ArgumentNullException.ThrowIfNull(previous);
        lock (previous.Gate)
        {
            lock (Gate)
            {
                foreach (var (name, change) in previous._sshPending)
                {
                    _sshPending.TryAdd(name, change);
                }

                _reloadPending |= previous._reloadPending;
            }
        }
    }

    protected override void OnUpdate(KvMirrorUpdate update)
    {
        var now = Time.GetUtcNow();
        lock (Gate)
        {
            // Before the first load the first pass covers everything; known_hosts are only reset for
            // changes seen while running (a restart must not rescan every host).
            if (!_synced)
            {
                return;
            }

            Schedule.Change(now);
            if (_ssh is not null)
            {
                foreach (var key in update.ChangedKeys)
                {
                    if (!_inventory.TryParseKey(key, out var type, out var ordinal))
                    {
                        continue;
                    }

                    var name = _inventory.NameOf(type, ordinal);
                    var address = _templates.AddressOf(_inventory, new HostEntry(name, type, ordinal, string.Empty, key));
                    _sshPending[name] = new SshChange(name, address, update.Current.Get(key) is not null);
                }
            }
        }

        Wake();
    }

    protected override IRetryPolicy RetryPolicy => new DoublingBackoff(RetryDelay, MaxRetryDelay);

    protected override async Task BeforeFirstRunAsync(CancellationToken cancellationToken)
    {
        // Files a killed run staged and never installed: hidden and not *.cfg, so Nagios skips
        // them, but they would pile up. The previous generator has stopped, so none is in flight.
        foreach (var file in new[] { _options.HostsFile, _options.GroupsFile, _options.HostListFile })
        {
            foreach (var path in file is null ? [] : AtomicFile.RemoveStaleStageFiles(file))
            {
                Log.StaleStageRemoved(_logger, path);
            }
        }

        await Mirror.WhenSynced.WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (Gate)
        {
            _synced = true;
            Schedule.RunNow();
        }
    }

    protected override Task<bool> RunDueAsync(CancellationToken cancellationToken) => PassAsync(cancellationToken);

    protected override void RunFailedUnexpectedly(Exception exception) => Log.PassFailed(_logger, exception);

    protected override void RunCompleted() => PassCompleted?.Invoke(Status);

    /// <summary>One pass: generate and install, reload, reset known_hosts. True when all of it succeeded.</summary>
    private async Task<bool> PassAsync(CancellationToken cancellationToken)
    {
        var snapshot = Mirror.Current;
        bool waiting = _inventory.GuardIn(snapshot) is { Applying: true };
        List<SshChange> ssh;
        lock (Gate)
        {
            if (waiting != _status.WaitingForReplace)
            {
                _status = _status with { WaitingForReplace = waiting };
                if (waiting)
                {
                    Log.WaitingForReplace(_logger, _inventory.Root);
                }
            }

            if (waiting)
            {
                // A replace is being applied, the hosts are part old, part new: nothing is generated
                // from that. Its completion rewrites the guard, a change that brings the next pass.
                return true;
            }

            ssh = [.. _sshPending.Values];
            _sshPending.Clear();
        }

        // Writing, checking and reloading are not cancelled half-way (a stop waits for their
        // timeouts at most): installed files and a pending reload must never fall apart.
        bool ok = Generate(snapshot, cancellationToken) is { } generated && await InstallAsync(generated, snapshot, CancellationToken.None).ConfigureAwait(false);
        bool reloadPending;
        lock (Gate)
        {
            reloadPending = _reloadPending;
        }

        if (reloadPending)
        {
            ok &= await ReloadAsync(CancellationToken.None).ConfigureAwait(false);
        }

        if (ssh.Count > 0 && _ssh is not null)
        {
            ok &= await ResetKnownHostsAsync(ssh, cancellationToken).ConfigureAwait(false);
        }

        return ok;
    }

    /// <summary>Renders the files; <c>null</c> (and the error recorded) when a template fails.</summary>
    private List<GeneratedFile>? Generate(KvSnapshot snapshot, CancellationToken cancellationToken)
    {
        var (hosts, ignored) = _inventory.Read(snapshot);
        if (!ignored.SequenceEqual(_lastIgnored, StringComparer.Ordinal))
        {
            if (ignored.Count > 0)
            {
                Log.IgnoredKeys(_logger, ignored.Count, _inventory.Root, string.Join(", ", ignored.Take(5)) + (ignored.Count > 5 ? ", …" : string.Empty));
            }

            _lastIgnored = ignored;
        }

        lock (Gate)
        {
            _status = _status with { Hosts = hosts.Count, IgnoredKeys = ignored.Count, Revision = snapshot.Revision };
        }

        try
        {
            return _templates.Render(_inventory, snapshot, hosts, cancellationToken);
        }
        catch (Exception ex) when (ex is Tend.Templates.TemplateExecutionException or Tend.Templates.TemplateFunctionException or Render.RenderFailedException)
        {
            Failed($"template failed, the files were left as they were: {ex.Message}", check: false);
            return null;
        }
    }

    private void Failed(string message, bool check)
    {
        lock (Gate)
        {
            _status = _status with
            {
                LastError = message,
                Failures = _status.Failures + 1,
                CheckFailures = check ? _status.CheckFailures + 1 : _status.CheckFailures,
            };
        }

        Log.Failed(_logger, _options.HostsFile, message);
    }

    private async Task<bool> ReloadAsync(CancellationToken cancellationToken)
    {
        string? error;
        var started = Time.GetTimestamp();
        if (_options.ReloadCommand is { } command)
        {
            var result = await _runner.RunAsync(new CommandSpec(command, _options.ReloadTimeout), cancellationToken).ConfigureAwait(false);
            error = result.Succeeded ? null : $"reload_cmd failed: {result.Summary}";
        }
        else
        {
            error = ProcessSignals.HangUp(_options.PidFile, "nagios");
        }

        var now = Time.GetUtcNow();
        lock (Gate)
        {
            _reloadPending = error is not null;
            _status = error is null
                ? _status with { Reloads = _status.Reloads + 1, LastReload = now, LastReloadError = null }
                : _status with { ReloadFailures = _status.ReloadFailures + 1, LastReloadError = error };
        }

        if (error is null)
        {
            Log.Reloaded(_logger, _options.ReloadCommand ?? $"SIGHUP to the pid in {_options.PidFile}", Time.GetElapsedTime(started).TotalMilliseconds);
        }
        else
        {
            Log.ReloadFailed(_logger, error);
        }

        return error is null;
    }

    private async Task<bool> ResetKnownHostsAsync(List<SshChange> hosts, CancellationToken cancellationToken)
    {
        IReadOnlyList<SshChange> failed;
        try
        {
            failed = await _ssh!.ResetAsync(hosts, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            failed = hosts;
        }

        lock (Gate)
        {
            // A host changed again meanwhile keeps its newer entry.
            foreach (var f in failed)
            {
                _sshPending.TryAdd(f.Name, f);
            }

            _status = _status with { SshResets = _status.SshResets + hosts.Count - failed.Count, SshFailures = _status.SshFailures + failed.Count };
        }

        cancellationToken.ThrowIfCancellationRequested();
        return failed.Count == 0;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 810, Level = LogLevel.Information, Message = "Nagios: installed {Files} ({Hosts} hosts, revision {Revision})")]
        public static partial void Installed(ILogger logger, string files, int hosts, long revision);

        [LoggerMessage(EventId = 817, Level = LogLevel.Information, Message = "Nagios: removed {Path}, a file staged by a run that was stopped before it finished")]
        public static partial void StaleStageRemoved(ILogger logger, string path);

        [LoggerMessage(EventId = 811, Level = LogLevel.Error, Message = "Nagios: {HostsFile}: {Reason}")]
        public static partial void Failed(ILogger logger, string hostsFile, string reason);

        [LoggerMessage(EventId = 812, Level = LogLevel.Information, Message = "Nagios: reloaded ({How}, {Ms:F0} ms)")]
        public static partial void Reloaded(ILogger logger, string how, double ms);

        [LoggerMessage(EventId = 813, Level = LogLevel.Error, Message = "Nagios: reload failed (will retry): {Reason}")]
        public static partial void ReloadFailed(ILogger logger, string reason);

        [LoggerMessage(EventId = 814, Level = LogLevel.Warning, Message = "Nagios: ignoring {Count} keys under {Root} that are not ROOT/<type>/<ordinal>: {Keys}")]
        public static partial void IgnoredKeys(ILogger logger, int count, string root, string keys);

        [LoggerMessage(EventId = 815, Level = LogLevel.Warning, Message = "Nagios: {File} is not read by main_config {MainConfig}: Nagios will not load it")]
        public static partial void Unreferenced(ILogger logger, string file, string mainConfig);

        [LoggerMessage(EventId = 816, Level = LogLevel.Error, Message = "Nagios: a pass failed unexpectedly")]
        public static partial void PassFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 818, Level = LogLevel.Information, Message = "Nagios: a replace of the hosts under {Root} is being applied; waiting for it to complete")]
        public static partial void WaitingForReplace(ILogger logger, string root);
    }
}

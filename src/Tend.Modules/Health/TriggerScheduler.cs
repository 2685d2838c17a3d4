using Microsoft.Extensions.Logging;

namespace Tend.Modules.Health;

/// <summary>
/// Fires triggers for the daemon: the key is read when the check changes (no key: nothing runs, a
/// debug line), a key fires at most once per flap interval, and one run of a key at a time — a
/// firing while it runs is kept as one pending run that starts when it ends.
/// </summary>
internal sealed partial class TriggerScheduler(IHealthData data, TriggerExecutor executor, TimeSpan flapInterval, ILogger logger, TimeProvider time) : IAsyncDisposable
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Each key that fired at least once.</summary>
    public IReadOnlyList<TriggerStatus> Status
    {
        get
        {
            lock (_gate)
            {
                return _entries.Values.Select(e => e.Snapshot()).OrderBy(s => s.Key, StringComparer.Ordinal).ToList();
            }
        }
    }

    /// <summary>Called when a check of <paramref name="service"/> changed to <paramref name="state"/>; returns once the run (if any) has started.</summary>
    public async Task FireAsync(HealthIdentity identity, string service, ClusterRole role, string state, CancellationToken cancellationToken = default)
    {
        var key = identity.TriggerKey(service, role, state);
        string? value;
        try
        {
            value = await data.GetAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (HealthUnknownException ex)
        {
            Log.ReadFailed(logger, key, ex.Message);
            return;
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            Log.NoTrigger(logger, service, state, key);
            return;
        }

        var request = new TriggerRequest(key, value, identity, service, role, state);
        Entry entry;
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out entry!))
            {
                entry = _entries[key] = new Entry(key, service, role.Name(), state);
            }

            var now = time.GetUtcNow();
            if (entry.LastFired is { } last && now - last < flapInterval)
            {
                entry.Suppressed++;
                Log.Suppressed(logger, key, flapInterval.TotalSeconds);
                return;
            }

            entry.LastFired = now;
            if (entry.Running)
            {
                entry.Pending = request;
                return;
            }

            entry.Running = true;
        }

        _ = RunLoopAsync(entry, request);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        List<Task> running;
        lock (_gate)
        {
            running = _entries.Values.Select(e => e.Loop).Where(t => t is not null).Cast<Task>().ToList();
        }

        try
        {
            await Task.WhenAll(running).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping kills the triggers still running.
        }

        _stopping.Dispose();
    }

    private Task RunLoopAsync(Entry entry, TriggerRequest first)
    {
        var loop = Task.Run(async () =>
        {
            var request = first;
            while (true)
            {
                lock (_gate)
                {
                    entry.Runs++;
                    entry.LastRun = time.GetUtcNow();
                }

                Log.Running(logger, request.Key, request.Service, request.State);
                TriggerResult result;
                try
                {
                    result = await executor.RunAsync(request, _stopping.Token).ConfigureAwait(false);
                }
                catch (HealthUnknownException ex)
                {
                    result = new TriggerResult(-1, false, string.Empty, ex.Message, TimeSpan.Zero);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    result = new TriggerResult(-1, false, string.Empty, $"cannot write the script: {ex.Message}", TimeSpan.Zero);
                }

                lock (_gate)
                {
                    entry.LastExitCode = result.ExitCode;
                    if (!result.Succeeded)
                    {
                        entry.Failures++;
                        entry.LastError = result.Error;
                        entry.Timeouts += result.TimedOut ? 1 : 0;
                    }
                }

                if (result.Succeeded)
                {
                    Log.Succeeded(logger, request.Key, result.Duration.TotalMilliseconds, result.Output);
                }
                else
                {
                    Log.Failed(logger, request.Key, result.Error!, result.Output);
                }

                lock (_gate)
                {
                    if (entry.Pending is null || _stopping.IsCancellationRequested)
                    {
                        entry.Running = false;
                        entry.Pending = null;
                        return;
                    }

                    request = entry.Pending;
                    entry.Pending = null;
                }
            }
        });
        lock (_gate)
        {
            entry.Loop = loop;
        }

        return loop;
    }

    private sealed class Entry(string key, string service, string role, string state)
    {
        public bool Running { get; set; }

        public TriggerRequest? Pending { get; set; }

        public DateTimeOffset? LastFired { get; set; }

        public DateTimeOffset? LastRun { get; set; }

        public long Runs { get; set; }

        public long Failures { get; set; }

        public long Timeouts { get; set; }

        public long Suppressed { get; set; }

        public int? LastExitCode { get; set; }

        public string? LastError { get; set; }

        public Task? Loop { get; set; }

        public TriggerStatus Snapshot() => new()
        {
            Key = key,
            Service = service,
            Role = role,
            State = state,
            Runs = Runs,
            Failures = Failures,
            Timeouts = Timeouts,
            Suppressed = Suppressed,
            Running = Running,
            LastRun = LastRun,
            LastExitCode = LastExitCode,
            LastError = LastError,
        };
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1020, Level = LogLevel.Debug, Message = "[{Service}] {State}: no trigger at {Key}, nothing to run")]
        public static partial void NoTrigger(ILogger logger, string service, string state, string key);

        [LoggerMessage(EventId = 1021, Level = LogLevel.Information, Message = "Trigger {Key} fired within the flap interval ({Seconds} s) of its last run: not run")]
        public static partial void Suppressed(ILogger logger, string key, double seconds);

        [LoggerMessage(EventId = 1022, Level = LogLevel.Information, Message = "Running trigger {Key} ([{Service}] is {State})")]
        public static partial void Running(ILogger logger, string key, string service, string state);

        [LoggerMessage(EventId = 1023, Level = LogLevel.Information, Message = "Trigger {Key} succeeded in {Milliseconds:F0} ms: {Output}")]
        public static partial void Succeeded(ILogger logger, string key, double milliseconds, string output);

        [LoggerMessage(EventId = 1024, Level = LogLevel.Error, Message = "Trigger {Key} failed: {Error}; output: {Output}")]
        public static partial void Failed(ILogger logger, string key, string error, string output);

        [LoggerMessage(EventId = 1025, Level = LogLevel.Warning, Message = "Cannot read trigger {Key}: {Reason}")]
        public static partial void ReadFailed(ILogger logger, string key, string reason);
    }
}

using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tend.Core.Mirror;
using Tend.Core.Processes;

namespace Tend.Modules.Hooks.Exec;

/// <summary>
/// One <c>[[hooks.exec]]</c>: subscribes to the shared mirror of its prefix and runs its command for
/// the keys that changed — once per key with <c>TEND_*</c> variables, or once per burst with the
/// changes as JSON on stdin. Changes wait in a queue with one entry per key (a newer change to a
/// waiting key replaces its value and keeps its previous one), so nothing is lost while a command
/// runs or during a quiet period, and the last change is always reported. A resync is diffed by the
/// mirror, so after a reconnect the hook hears of exactly the keys that differ. Failures are logged
/// and counted, never retried (a hook run twice may do harm) and never fatal.
/// </summary>
internal sealed partial class ExecHook : ScheduledMirrorWorker
{
    private readonly ICommandRunner _runner;
    private readonly ILogger _logger;
    private readonly OrderedDictionary<string, ExecChange> _pending = new(StringComparer.Ordinal);
    private List<ExecChange> _due = [];
    private ExecHookStatus _status;

    public ExecHook(ExecHookOptions options, KvMirror mirror, ICommandRunner runner, ILogger logger, TimeProvider? time = null)
        : base(mirror, options.Wait, time)
    {
        Options = options;
        _runner = runner;
        _logger = logger;
        _status = new ExecHookStatus { Id = options.Id, Prefix = options.Prefix, Mode = options.Mode };
    }

    public ExecHookOptions Options { get; }

    public ExecHookStatus Status
    {
        get
        {
            lock (Gate)
            {
                return _status with { Pending = _pending.Count };
            }
        }
    }

    protected override void OnUpdate(KvMirrorUpdate update)
    {
        var now = Time.GetUtcNow();
        lock (Gate)
        {
            foreach (var key in update.ChangedKeys)
            {
                string? value = update.Current.TryGetValue(key, out var v) ? v : null;
                if (_pending.TryGetValue(key, out var waiting))
                {
                    _pending[key] = waiting with { Value = value, Revision = update.Current.Revision };
                }
                else
                {
                    string? previous = update.Previous.TryGetValue(key, out var p) ? p : null;
                    _pending.Add(key, new ExecChange(key, previous, value, update.Current.Revision));
                }
            }

            Schedule.Change(now);
        }

        Wake();
    }

    protected override void TakeDue()
    {
        _due = [.. _pending.Values.Where(c => c.IsChange)];
        _pending.Clear();
    }

    protected override async Task<bool> RunDueAsync(CancellationToken cancellationToken)
    {
        var due = _due;
        _due = [];
        if (due.Count == 0)
        {
            return true;
        }

        if (Options.Mode == ExecHookMode.Batch)
        {
            return await RunOnceAsync(BatchSpec(due), due, cancellationToken).ConfigureAwait(false);
        }

        bool ok = true;
        foreach (var change in due)
        {
            ok &= await RunOnceAsync(ChangeSpec(change), [change], cancellationToken).ConfigureAwait(false);
        }

        return ok;
    }

    protected override void RunFailedUnexpectedly(Exception exception) => Log.RunCrashed(_logger, Options.Id, exception);

    /// <summary>Runs the command once for <paramref name="changes"/>; true when it succeeded.</summary>
    private async Task<bool> RunOnceAsync(CommandSpec spec, List<ExecChange> changes, CancellationToken cancellationToken)
    {
        CommandResult result;
        try
        {
            result = await _runner.RunAsync(spec, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The runner reports failures as results; anything else is a bug that must not stop the hook.
            result = new CommandResult(-1, string.Empty, ex.Message, false, TimeSpan.Zero);
        }

        var now = Time.GetUtcNow();
        var what = changes.Count == 1 ? $"{changes[0].Action} {changes[0].Key}" : $"{changes.Count} changes";
        lock (Gate)
        {
            _status = _status with
            {
                Runs = _status.Runs + 1,
                Changes = _status.Changes + changes.Count,
                LastRun = now,
                Revision = changes.Max(c => c.Revision),
                Failures = result.Succeeded ? _status.Failures : _status.Failures + 1,
                Timeouts = result.TimedOut ? _status.Timeouts + 1 : _status.Timeouts,
                LastError = result.Succeeded ? null : $"{what}: {result.Summary}",
            };
        }

        if (result.Succeeded)
        {
            Log.Ran(_logger, Options.Id, what, result.Duration.TotalMilliseconds);
        }
        else
        {
            Log.RunFailed(_logger, Options.Id, what, result.Summary);
        }

        if (result.StandardOutput.Length > 0 || result.StandardError.Length > 0)
        {
            Log.Output(_logger, Options.Id, (result.StandardOutput + result.StandardError).TrimEnd());
        }

        return result.Succeeded;
    }

    private CommandSpec ChangeSpec(ExecChange c) => new(Options.Command, Options.Timeout)
    {
        Environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["TEND_HOOK"] = Options.Id,
            ["TEND_PREFIX"] = Options.Prefix,
            ["TEND_KEY"] = c.Key,
            ["TEND_VALUE"] = c.Value ?? string.Empty,
            ["TEND_PREV_VALUE"] = c.PreviousValue ?? string.Empty,
            ["TEND_ACTION"] = c.Action,
            ["TEND_REVISION"] = c.Revision.ToString(CultureInfo.InvariantCulture),
        },
    };

    private CommandSpec BatchSpec(List<ExecChange> changes) => new(Options.Command, Options.Timeout)
    {
        Environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["TEND_HOOK"] = Options.Id,
            ["TEND_PREFIX"] = Options.Prefix,
            ["TEND_COUNT"] = changes.Count.ToString(CultureInfo.InvariantCulture),
            ["TEND_REVISION"] = changes.Max(c => c.Revision).ToString(CultureInfo.InvariantCulture),
        },
        StandardInput = ChangesJson(changes),
    };

    /// <summary>The batch's stdin: <c>[{"key":…,"action":"put"|"delete","value":…|null,"prev_value":…|null,"revision":…}, …]</c>.</summary>
    internal static string ChangesJson(IReadOnlyList<ExecChange> changes)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartArray();
            foreach (var c in changes)
            {
                json.WriteStartObject();
                json.WriteString("key", c.Key);
                json.WriteString("action", c.Action);
                json.WriteString("value", c.Value);
                json.WriteString("prev_value", c.PreviousValue);
                json.WriteNumber("revision", c.Revision);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 800, Level = LogLevel.Information, Message = "exec hook {Hook}: ran for {What} ({Ms:F0} ms)")]
        public static partial void Ran(ILogger logger, string hook, string what, double ms);

        [LoggerMessage(EventId = 801, Level = LogLevel.Error, Message = "exec hook {Hook}: failed for {What}: {Reason}")]
        public static partial void RunFailed(ILogger logger, string hook, string what, string reason);

        [LoggerMessage(EventId = 802, Level = LogLevel.Debug, Message = "exec hook {Hook} output: {Output}")]
        public static partial void Output(ILogger logger, string hook, string output);

        [LoggerMessage(EventId = 803, Level = LogLevel.Error, Message = "exec hook {Hook}: a run failed unexpectedly")]
        public static partial void RunCrashed(ILogger logger, string hook, Exception exception);
    }
}

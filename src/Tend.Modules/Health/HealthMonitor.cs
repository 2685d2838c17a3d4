using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tend.Core.Kv;
using Tend.Modules.Checks;

namespace Tend.Modules.Health;

/// <summary>
/// One <c>[[health.check]]</c> under <c>tend run</c>: runs the check every interval (and at once when
/// a peer's published health changes), publishes each state change as the ephemeral entry
/// <c>health/ENV/SERVICE/NODE</c>, tells the agent sink, and fires the trigger of the new state.
/// </summary>
internal sealed partial class HealthMonitor : IAsyncDisposable
{
    private readonly HealthCheckOptions _options;
    private readonly HealthIdentity _identity;
    private readonly IHealthCheck _check;
    private readonly HealthEvaluator _evaluator;
    private readonly TriggerScheduler _triggers;
    private readonly IKvStore? _publishTo;
    private readonly TimeSpan _ttl;
    private readonly IAgentCheckSink? _sink;
    private readonly bool _triggerOnPassing;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private Task? _loop;
    private IKvRegistration? _registration;
    private HealthCheckStatus _status;
    private CheckState? _state;
    private ClusterRole? _role;
    private DateTimeOffset _since;
    private bool _publishPending;

    public HealthMonitor(HealthCheckOptions options, HealthIdentity identity, IHealthCheck check, HealthEvaluator evaluator, TriggerScheduler triggers, IKvStore? publishTo, TimeSpan ttl, IAgentCheckSink? sink, bool triggerOnPassing, ILogger logger, TimeProvider time)
    {
        _options = options;
        _identity = identity;
        _check = check;
        _evaluator = evaluator;
        _triggers = triggers;
        _publishTo = publishTo;
        _ttl = ttl;
        _sink = sink;
        _triggerOnPassing = triggerOnPassing;
        _logger = logger;
        _time = time;
        _status = new HealthCheckStatus { Service = options.Service!, Check = options.Describe() };
    }

    public HealthCheckOptions Options => _options;

    public HealthCheckStatus Status
    {
        get
        {
            lock (_gate)
            {
                return _status;
            }
        }
    }

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Runs the check now (a peer's health changed) instead of at the next interval.</summary>
    public void Wake()
    {
        try
        {
            if (_wake.CurrentCount == 0)
            {
                _wake.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Already woken.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
        }

        if (_registration is not null)
        {
            await _registration.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
        _wake.Dispose();
    }

    /// <summary>One evaluation and what follows from it; the loop's body, and the seam the tests and the benchmark drive.</summary>
    internal async Task CheckOnceAsync(CancellationToken cancellationToken)
    {
        var service = _options.Service!;
        HealthOutcome outcome;
        try
        {
            outcome = await _evaluator.EvaluateAsync(_identity, service, _check, cancellationToken).ConfigureAwait(false);
        }
        catch (HealthUnknownException ex)
        {
            var unknown = new CheckResult(CheckState.Unknown, ex.Message, TimeSpan.Zero);
            outcome = new HealthOutcome(_role ?? ClusterRole.Standalone, unknown, unknown);
        }

        var now = _time.GetUtcNow();
        var result = outcome.Result;
        bool changed = _state != result.State || _role != outcome.Role;
        var previous = _state;
        _state = result.State;
        _role = outcome.Role;
        lock (_gate)
        {
            _status = _status with
            {
                State = result.State.Name(),
                Output = result.Output,
                Role = outcome.Role.Name(),
                Since = changed ? now : _status.Since,
                LastCheck = now,
                Checks = _status.Checks + 1,
                Changes = _status.Changes + (changed ? 1 : 0),
            };
        }

        if (changed)
        {
            Log.Changed(_logger, service, result.State.Name(), outcome.Role.Name(), result.Output);

            // The trigger first: it is what an operator waits for, and publishing waits for the store.
            if (previous != result.State && result.State is CheckState.Warning or CheckState.Critical
                || result.State == CheckState.Passing && _triggerOnPassing && previous is CheckState.Warning or CheckState.Critical)
            {
                await _triggers.FireAsync(_identity, service, outcome.Role, result.State.Name(), cancellationToken).ConfigureAwait(false);
            }
        }

        if (changed || _publishPending)
        {
            _since = changed ? now : _since;
            await PublishAsync(result, outcome.Role, _since, cancellationToken).ConfigureAwait(false);
        }

        // The agent's TTL check must hear of every run, not only of changes, or it expires.
        if (_sink is not null)
        {
            await _sink.ReportAsync(service, result, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await CheckOnceAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A fault of one round (a sink, an unexpected store error) never ends the check.
                Log.RoundFailed(_logger, _options.Service!, ex.Message);
            }

            await _wake.WaitAsync(_options.Interval, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task PublishAsync(CheckResult result, ClusterRole role, DateTimeOffset since, CancellationToken cancellationToken)
    {
        if (_publishTo is null)
        {
            return;
        }

        var key = _identity.HealthKey(_options.Service!);
        var value = JsonSerializer.Serialize(new PublishedHealth { Status = result.State.Name(), Output = result.Output, Role = role.Name(), Since = since }, HealthJsonContext.Default.PublishedHealth);

        // A registration's value is fixed: the old entry goes, the new one comes. The moment between
        // shows no entry, which peers read as "not passing" — true on either side of a change that
        // involves passing, so the gap never tells a secondary anything false.
        if (_registration is not null)
        {
            await _registration.DisposeAsync().ConfigureAwait(false);
            _registration = null;
        }

        try
        {
            _registration = await _publishTo.RegisterAsync(key, value, _ttl, cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                _status = _status with { PublishedKey = key };
            }

            _publishPending = false;
        }
        catch (KvStoreException ex)
        {
            // Published again at the next check; peers meanwhile see no entry (not passing).
            lock (_gate)
            {
                _status = _status with { PublishedKey = null, LastPublishError = ex.Message };
            }

            _publishPending = true;
            Log.PublishFailed(_logger, key, ex.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1010, Level = LogLevel.Information, Message = "[{Service}] {State} ({Role}): {Output}")]
        public static partial void Changed(ILogger logger, string service, string state, string role, string output);

        [LoggerMessage(EventId = 1011, Level = LogLevel.Warning, Message = "Cannot publish {Key}: {Reason}; retrying at the next check")]
        public static partial void PublishFailed(ILogger logger, string key, string reason);

        [LoggerMessage(EventId = 1012, Level = LogLevel.Error, Message = "[{Service}] check round failed: {Reason}")]
        public static partial void RoundFailed(ILogger logger, string service, string reason);
    }
}

using Microsoft.Extensions.Logging;
using Tend.Core.Kv;

namespace Tend.Core.Agent;

/// <summary>
/// A service in the local Consul agent's catalog with a TTL check that follows its owner's check results
/// (register's and health's <c>catalog = true</c>). The latest status is sent whenever it changes and every TTL/2 besides, so the
/// check turns critical by itself when Tend stops sending (a killed or stopped process); an agent that forgot
/// the service (restarted, or reaped it) gets it registered again. Disposing deregisters it.
/// </summary>
public sealed partial class ConsulTtlService : IAsyncDisposable
{
    private readonly IConsulAgent _agent;
    private readonly ConsulServiceRegistration _service;
    private readonly ILogger _logger;
    private readonly TimeSpan _ttl;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _changed = new(0, 1);
    private readonly Lock _gate = new();
    private ConsulCheckStatus _status = ConsulCheckStatus.Critical;
    private string _output = string.Empty;
    private Task? _loop;
    private volatile bool _registered;

    /// <summary>Keeps <paramref name="service"/> in <paramref name="agent"/>; nothing is sent before the first <see cref="Report"/>.</summary>
    public ConsulTtlService(IConsulAgent agent, ConsulServiceRegistration service, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(logger);
        _agent = agent;
        _logger = logger;
        _ttl = service.CheckTtl < TimeSpan.FromSeconds(2) ? TimeSpan.FromSeconds(2) : service.CheckTtl;
        _service = service with { CheckTtl = _ttl };
    }

    /// <summary>What is registered (with the TTL actually used: at least 2 s).</summary>
    public ConsulServiceRegistration Registration => _service;

    /// <summary>The service id in the agent.</summary>
    public string ServiceId => _service.Id;

    /// <summary>True while the agent has the service (as far as the last call told).</summary>
    public bool Registered => _registered;

    /// <summary>The last error talking to the agent, or null.</summary>
    public string? LastError { get; private set; }

    /// <summary>Takes a check result; the loop sends it at once.</summary>
    public void Report(ConsulCheckStatus status, string output)
    {
        lock (_gate)
        {
            bool changed = status != _status || !string.Equals(output, _output, StringComparison.Ordinal);
            _status = status;
            _output = output;
            if (!changed && _loop is not null)
            {
                return;
            }

            _loop ??= Task.Run(() => RunAsync(_stop.Token));
        }

        if (_changed.CurrentCount == 0)
        {
            try
            {
                _changed.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already signalled.
            }
        }
    }

    /// <summary>Stops renewing and deregisters the service (when it was ever sent).</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _agent.DeregisterServiceAsync(_service.Id, timeout.Token).ConfigureAwait(false);
                Log.Deregistered(_logger, _service.Name, _service.Id);
            }
            catch (Exception ex) when (ex is KvStoreException or OperationCanceledException)
            {
                Log.Failed(_logger, _service.Name, "could not deregister on stop: " + ex.Message);
            }
        }

        _registered = false;
        _stop.Dispose();
        _changed.Dispose();
    }

    private async Task RunAsync(CancellationToken stop)
    {
        int failures = 0;
        while (!stop.IsCancellationRequested)
        {
            ConsulCheckStatus status;
            string output;
            lock (_gate)
            {
                status = _status;
                output = _output;
            }

            try
            {
                if (!_registered || !await _agent.UpdateCheckAsync(_service.CheckId, status, output, stop).ConfigureAwait(false))
                {
                    await _agent.RegisterServiceAsync(_service with { InitialStatus = status, InitialOutput = output }, stop).ConfigureAwait(false);
                    await _agent.UpdateCheckAsync(_service.CheckId, status, output, stop).ConfigureAwait(false);
                    Log.Registered(_logger, _service.Name, _service.Id, status.ToString());
                    _registered = true;
                }

                failures = 0;
                LastError = null;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is KvStoreException or OperationCanceledException)
            {
                failures++;
                _registered = false;
                LastError = ex.Message;
                Log.Failed(_logger, _service.Name, ex.Message);
            }

            // Renew at half the TTL; after a failure retry sooner (1 s doubling, at most the renewal period).
            var renew = _ttl / 2;
            var delay = failures == 0 ? renew : TimeSpan.FromMilliseconds(Math.Min(renew.TotalMilliseconds, 1000 * Math.Pow(2, Math.Min(failures - 1, 10))));
            try
            {
                await _changed.WaitAsync(delay, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 730, Level = LogLevel.Information, Message = "[{Service}] in the Consul catalog as {Id}, check {Status}")]
        public static partial void Registered(ILogger logger, string service, string id, string status);

        [LoggerMessage(EventId = 731, Level = LogLevel.Warning, Message = "[{Service}] Consul catalog: {Reason}; retrying")]
        public static partial void Failed(ILogger logger, string service, string reason);

        [LoggerMessage(EventId = 732, Level = LogLevel.Information, Message = "[{Service}] removed {Id} from the Consul catalog")]
        public static partial void Deregistered(ILogger logger, string service, string id);
    }
}

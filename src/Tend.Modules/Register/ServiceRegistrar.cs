using Microsoft.Extensions.Logging;
using Tend.Core.Agent;
using Tend.Core.Kv;
using Tend.Modules.Checks;

namespace Tend.Modules.Register;

/// <summary>
/// Keeps one service's entry in the store while its check passes: checks every <c>refresh</c>,
/// registers after <c>rise</c> passes, deregisters at once after <c>fall</c> failures. When the
/// store is unreachable it keeps checking and registers once the store answers; re-creation after
/// a session expiry or a foreign delete is the store registration's job.
/// </summary>
internal sealed partial class ServiceRegistrar : IAsyncDisposable
{
    private readonly IKvStore _store;
    private readonly IHealthCheck _check;
    private readonly TimeSpan _ttl;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IKvRegistration? _registration;
    private ConsulTtlService? _catalog;
    private Task? _loop;
    private int _passes;
    private int _failures;
    private bool? _healthy;
    private string? _lastOutput;
    private DateTimeOffset? _lastCheckAt;
    private string? _lastError;
    private long _checks;
    private long _registrations;

    public ServiceRegistrar(RegisterServiceOptions options, string hostname, IKvStore store, IHealthCheck check, TimeSpan ttl, ILogger logger, TimeProvider? time = null, IKvRegistration? adopted = null, ConsulTtlService? catalog = null)
    {
        _catalog = catalog;
        Options = options;
        Hostname = hostname;
        _store = store;
        _check = check;
        _ttl = ttl;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        Key = KeyOf(options, hostname);
        Identity = IdentityOf(options, hostname);
        _registration = adopted;
        if (adopted is not null)
        {
            // Adopted across a reload with the same identity: it stays registered until a check says otherwise.
            _healthy = true;
            _passes = options.Rise;
        }
    }

    public RegisterServiceOptions Options { get; }

    public string Hostname { get; }

    public string Key { get; }

    public string Identity { get; }

    /// <summary>The registered key: <c>path/host:port</c>.</summary>
    public static string KeyOf(RegisterServiceOptions options, string hostname) => KeyPath.Join(options.Path, $"{hostname}:{options.Port}");

    /// <summary>Key and data: what a reload compares to decide between keeping an entry and replacing it.</summary>
    public static string IdentityOf(RegisterServiceOptions options, string hostname) => RegistrationData.Identity(KeyOf(options, hostname), options.Data);

    public RegisteredServiceStatus Status => new(Options.Name, Key, _healthy, _registration is not null, _lastOutput, _lastCheckAt, _lastError ?? _catalog?.LastError, _checks, _registrations, _catalog?.Registered);

    public void Start() => _loop ??= Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Runs one check and acts on it (the loop calls this every refresh; tests call it directly).</summary>
    public async Task CheckOnceAsync(CancellationToken cancellationToken = default)
    {
        var result = await _check.RunAsync(cancellationToken).ConfigureAwait(false);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _checks++;
            _lastOutput = result.Output;
            _lastCheckAt = _time.GetUtcNow();
            if (result.Healthy)
            {
                _passes++;
                _failures = 0;
                if (_healthy != true && _passes >= Options.Rise)
                {
                    _healthy = true;
                    Log.Healthy(_logger, Options.Name, result.Output);
                }
            }
            else
            {
                _failures++;
                _passes = 0;
                if (_healthy != false && (_failures >= Options.Fall || _healthy is null))
                {
                    _healthy = false;
                    Log.Unhealthy(_logger, Options.Name, result.Output);
                }
            }

            // The catalog's check follows every result: failing below the fall threshold is a warning.
            _catalog?.Report(_healthy != true ? ConsulCheckStatus.Critical : _failures > 0 ? ConsulCheckStatus.Warning : ConsulCheckStatus.Passing, result.Output);

            if (_healthy == true && _registration is null)
            {
                await RegisterAsync(cancellationToken).ConfigureAwait(false);
            }
            else if (_healthy == false && _registration is not null)
            {
                await DeregisterAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Stops checking. With <paramref name="keepRegistration"/> the live entry is handed back (a reload that keeps
    /// the identity), with <paramref name="keepCatalog"/> the catalog registration too; what is not kept is removed.
    /// </summary>
    public async Task<(IKvRegistration? Registration, ConsulTtlService? Catalog)> StopAsync(bool keepRegistration, bool keepCatalog = false)
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
            }
        }

        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            var catalog = _catalog;
            _catalog = null;
            if (!keepCatalog && catalog is not null)
            {
                await catalog.DisposeAsync().ConfigureAwait(false);
                catalog = null;
            }

            if (keepRegistration)
            {
                var r = _registration;
                _registration = null;
                return (r, catalog);
            }

            await DeregisterAsync().ConfigureAwait(false);
            return (null, catalog);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(keepRegistration: false).ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await CheckOnceAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A bug in a check must not end the loop: the service would silently stay registered.
                Log.LoopFailed(_logger, Options.Name, ex);
            }

            await Task.Delay(Options.Refresh, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RegisterAsync(CancellationToken cancellationToken)
    {
        var value = RegistrationData.Build(Environment.ProcessId, _time.GetLocalNow().DateTime, Hostname, Options.Port, Options.Data);
        try
        {
            _registration = await _store.RegisterAsync(Key, value, _ttl, cancellationToken).ConfigureAwait(false);
            _registrations++;
            _lastError = null;
            Log.Registered(_logger, Options.Name, Key);
        }
        catch (KvStoreException ex)
        {
            // Keep checking; the next healthy check tries again (after the store is back).
            _lastError = ex.Message;
            Log.RegisterFailed(_logger, Options.Name, Key, ex.Message);
        }
    }

    private async Task DeregisterAsync()
    {
        var r = _registration;
        if (r is null)
        {
            return;
        }

        _registration = null;
        try
        {
            await r.DisposeAsync().ConfigureAwait(false);
            Log.Deregistered(_logger, Options.Name, Key);
        }
        catch (KvStoreException ex)
        {
            // The entry is ephemeral: if the store cannot be told now, it expires with the session/lease.
            _lastError = ex.Message;
            Log.DeregisterFailed(_logger, Options.Name, Key, ex.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 700, Level = LogLevel.Information, Message = "[{Service}] registered {Key}")]
        public static partial void Registered(ILogger logger, string service, string key);

        [LoggerMessage(EventId = 701, Level = LogLevel.Warning, Message = "[{Service}] deregistered {Key}")]
        public static partial void Deregistered(ILogger logger, string service, string key);

        [LoggerMessage(EventId = 702, Level = LogLevel.Information, Message = "[{Service}] healthy: {Output}")]
        public static partial void Healthy(ILogger logger, string service, string output);

        [LoggerMessage(EventId = 703, Level = LogLevel.Warning, Message = "[{Service}] unhealthy: {Output}")]
        public static partial void Unhealthy(ILogger logger, string service, string output);

        [LoggerMessage(EventId = 704, Level = LogLevel.Error, Message = "[{Service}] cannot register {Key}, retrying after the next check: {Reason}")]
        public static partial void RegisterFailed(ILogger logger, string service, string key, string reason);

        [LoggerMessage(EventId = 705, Level = LogLevel.Error, Message = "[{Service}] cannot remove {Key} now (it expires with the session): {Reason}")]
        public static partial void DeregisterFailed(ILogger logger, string service, string key, string reason);

        [LoggerMessage(EventId = 706, Level = LogLevel.Error, Message = "[{Service}] check loop failed")]
        public static partial void LoopFailed(ILogger logger, string service, Exception exception);
    }
}

using Microsoft.Extensions.Logging;
using Tend.Core.Kv;

namespace Tend.Stores.Etcd;

/// <summary>
/// An ephemeral etcd key: put on a lease that is renewed every TTL/3, on the renewal ticks all
/// registrations share (<see cref="RenewalTicks"/>). When a renewal says the lease is gone (it expired
/// during a partition, or someone revoked it) or a watch on the key sees it deleted, the key is put
/// again on a new lease. Disposing revokes the lease, which deletes the key at once.
/// </summary>
internal sealed class EtcdRegistration : IKvRegistration
{
    private readonly EtcdKvStore _store;
    private readonly TimeSpan _ttl;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly RegistrationDeleteWatch _deletes;
    private Task? _keeper;
    private Task? _watcher;
    private long _lease;
    private long _putRevision;
    private int _state = (int)KvRegistrationState.Recovering;
    private volatile bool _keepAliveSuspended;

    public EtcdRegistration(EtcdKvStore store, string key, string value, TimeSpan ttl, ILogger logger)
    {
        _store = store;
        Key = key;
        Value = value;
        _ttl = ttl <= TimeSpan.Zero ? store.Options.SessionTimeout : ttl;
        _logger = logger;
        _deletes = new RegistrationDeleteWatch(
            store, key, store.Settings.ReconnectBackoff, () => Interlocked.Read(ref _putRevision), () => State == KvRegistrationState.Closed,
            message => EtcdLog.RegistrationRetry(_logger, Key, message));
    }

    public string Key { get; }

    public string Value { get; }

    public KvRegistrationState State => (KvRegistrationState)Volatile.Read(ref _state);

    /// <summary>The lease the key currently lives on.</summary>
    internal long Lease => Interlocked.Read(ref _lease);

    /// <summary>Test seam: stops renewing the lease, as a partition longer than the TTL would.</summary>
    internal bool KeepAliveSuspended
    {
        get => _keepAliveSuspended;
        set => _keepAliveSuspended = value;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await CreateAsync(cancellationToken).ConfigureAwait(false);
        _keeper = Task.Run(() => KeepAliveLoopAsync(_stopping.Token), CancellationToken.None);
        _watcher = Task.Run(() => _deletes.RunAsync(_stopping.Token), CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _state, (int)KvRegistrationState.Closed) == (int)KvRegistrationState.Closed)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var t in new[] { _keeper, _watcher })
        {
            if (t is not null)
            {
                await t.ConfigureAwait(false);
            }
        }

        _store.Forget(this);
        try
        {
            using var timeout = new CancellationTokenSource(_store.Options.RequestTimeout);
            await _store.RevokeLeaseAsync(Lease, timeout.Token).ConfigureAwait(false);
        }
        catch (KvStoreException ex)
        {
            // The store is unreachable: the lease expires by itself after its TTL.
            EtcdLog.RegistrationRetry(_logger, Key, "could not revoke the lease on close: " + ex.Message);
        }

        _stopping.Dispose();
        _deletes.Dispose();
    }

    private async Task CreateAsync(CancellationToken cancellationToken)
    {
        var lease = await _store.GrantLeaseAsync(_ttl, cancellationToken).ConfigureAwait(false);
        var revision = await _store.PutWithLeaseAsync(Key, Value, lease, cancellationToken).ConfigureAwait(false);
        var old = Interlocked.Exchange(ref _lease, lease);
        Interlocked.Exchange(ref _putRevision, revision);
        Interlocked.CompareExchange(ref _state, (int)KvRegistrationState.Registered, (int)KvRegistrationState.Recovering);
        EtcdLog.Registered(_logger, Key, lease);
        if (old != 0 && old != lease)
        {
            try
            {
                await _store.RevokeLeaseAsync(old, cancellationToken).ConfigureAwait(false);
            }
            catch (KvStoreException)
            {
                // An old lease left alive only keeps nothing alive; it expires on its own.
            }
        }
    }

    private async Task KeepAliveLoopAsync(CancellationToken cancellationToken)
    {
        var period = TimeSpan.FromMilliseconds(Math.Max(200, _ttl.TotalMilliseconds / 3));
        int failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                bool lost = false;
                string reason = string.Empty;
                if (_deletes.Lost.CurrentCount > 0 || await _deletes.Lost.WaitAsync(failures > 0 ? _store.Settings.ReconnectBackoff.NextDelay(failures) : RenewalTicks.UntilNext(period), cancellationToken).ConfigureAwait(false))
                {
                    while (_deletes.Lost.CurrentCount > 0)
                    {
                        await _deletes.Lost.WaitAsync(cancellationToken).ConfigureAwait(false);
                    }

                    // A delete older than the current put is the one an earlier re-creation already answered.
                    lost = _deletes.DeletedAt > Interlocked.Read(ref _putRevision);
                    reason = "the key was deleted";
                }
                else if (State == KvRegistrationState.Recovering)
                {
                    lost = true;
                    reason = "an earlier re-creation failed";
                }
                else if (!_keepAliveSuspended)
                {
                    var ttl = await _store.KeepAliveOnceAsync(Lease, cancellationToken).ConfigureAwait(false);
                    if (ttl <= 0)
                    {
                        lost = true;
                        reason = $"lease {Lease} expired";
                    }
                }

                if (lost)
                {
                    Interlocked.CompareExchange(ref _state, (int)KvRegistrationState.Recovering, (int)KvRegistrationState.Registered);
                    EtcdLog.RegistrationLost(_logger, Key, reason);
                    await CreateAsync(cancellationToken).ConfigureAwait(false);
                }

                failures = 0;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (EtcdTokenRefusedException) when (failures == 0)
            {
                // A routine token expiry (the renewal is logged once it is in): try again soon, quietly.
                failures++;
            }
            catch (Exception ex) when (ex is KvStoreException or OperationCanceledException)
            {
                failures++;
                EtcdLog.RegistrationRetry(_logger, Key, ex.Message);
            }
        }
    }

}

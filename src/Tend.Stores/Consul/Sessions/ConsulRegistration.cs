using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tend.Core.Kv;
using Tend.Stores.Consul.Http;
using Tend.Stores.Consul.Watch;
using Tend.Stores.Consul.Wire;

namespace Tend.Stores.Consul.Sessions;

/// <summary>
/// An ephemeral Consul key: a session with the TTL and <c>Behavior = delete</c> holds the key (a <c>lock</c> in a
/// transaction, which also tells the write's index). The session is renewed every TTL/2; when a renewal says it
/// is gone (it expired while this process was stopped or cut off: Consul invalidates a session between one and
/// two TTLs after its last renewal, and deletes the key with it) a new session takes the key again, and when a
/// watch on the key sees it deleted by someone else it is locked again at once. Disposing destroys the
/// session, which deletes the key at once.
/// </summary>
internal sealed class ConsulRegistration : IKvRegistration
{
    private static readonly TimeSpan MinimumTtl = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaximumTtl = TimeSpan.FromHours(24);

    private readonly ConsulKvStore _store;
    private readonly TimeSpan _ttl;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly RegistrationDeleteWatch _deletes;
    private Task? _keeper;
    private Task? _watcher;
    private string? _session;
    private long _lockIndex;
    private int _state = (int)KvRegistrationState.Recovering;

    public ConsulRegistration(ConsulKvStore store, string key, string value, TimeSpan ttl, ILogger logger)
    {
        _store = store;
        Key = key;
        Value = value;
        _logger = logger;
        _deletes = new RegistrationDeleteWatch(
            store, key, store.Settings.ReconnectBackoff, () => Interlocked.Read(ref _lockIndex), () => State == KvRegistrationState.Closed,
            message => ConsulLog.RegistrationRetry(_logger, Key, message));
        var wanted = ttl <= TimeSpan.Zero ? store.Options.SessionTimeout : ttl;
        _ttl = wanted < MinimumTtl ? MinimumTtl : wanted > MaximumTtl ? MaximumTtl : wanted;
        if (_ttl != wanted)
        {
            ConsulLog.TtlRaised(logger, wanted.ToString(), _ttl.ToString());
        }
    }

    public string Key { get; }

    public string Value { get; }

    public KvRegistrationState State => (KvRegistrationState)Volatile.Read(ref _state);

    /// <summary>The session holding the key now.</summary>
    internal string? Session => Volatile.Read(ref _session);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await CreateAsync(cancellationToken).ConfigureAwait(false);
        _keeper = Task.Run(() => KeepLoopAsync(_stopping.Token), CancellationToken.None);
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
        if (Session is { } session)
        {
            try
            {
                using var timeout = new CancellationTokenSource(_store.Options.RequestTimeout);
                await SessionCallAsync("destroy", session, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is KvStoreException or OperationCanceledException)
            {
                // Unreachable: the session expires by itself after its TTL, and the key goes with it.
                ConsulLog.RegistrationRetry(_logger, Key, "could not destroy the session on close: " + ex.Message);
            }
        }

        _stopping.Dispose();
        _deletes.Dispose();
    }

    /// <summary>A new session, then the key locked with it; an older session of ours is destroyed.</summary>
    private async Task CreateAsync(CancellationToken cancellationToken)
    {
        var session = await CreateSessionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await AcquireAsync(session, takeOver: true, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await DestroyQuietlyAsync(session).ConfigureAwait(false);
            throw;
        }

        var old = Interlocked.Exchange(ref _session, session);
        if (old is not null && old != session)
        {
            await DestroyQuietlyAsync(old).ConfigureAwait(false);
        }
    }

    private async Task<string> CreateSessionAsync(CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(
            new SessionCreateRequest { Name = SessionName, Ttl = $"{(long)_ttl.TotalSeconds}s" },
            ConsulJsonContext.Default.SessionCreateRequest);
        var response = await _store.SendAsync(
            new ConsulRequest { Method = HttpMethod.Put, Path = "/v1/session/create", Body = body, What = $"creating a session for {Key}" },
            cancellationToken).ConfigureAwait(false);
        var created = Parse(response, ConsulJsonContext.Default.SessionCreated);
        return string.IsNullOrEmpty(created?.Id) ? throw new KvStoreException($"{_store.Name}: creating a session for {Key} returned no id") : created.Id;
    }

    private string SessionName => "tend:" + Key;

    /// <summary>Locks the key with <paramref name="session"/>, putting the value; true when it held.</summary>
    private async Task AcquireAsync(string session, bool takeOver, CancellationToken cancellationToken)
    {
        var op = new TxnKvOperation { Verb = "lock", Key = ConsulKeys.ToConsul(Key), Value = ConsulKvCodec.EncodeValue(Value), Session = session };
        var (status, answer) = await _store.TxnAsync([new TxnOperation(op)], $"locking {Key}", cancellationToken).ConfigureAwait(false);
        if (status == HttpStatusCode.OK)
        {
            long index = answer.Results?.Max(r => (long?)r.Kv?.ModifyIndex) ?? 0;
            _store.OwnWrites.Record([new OwnWrite(Key, Value, index)]);
            Interlocked.Exchange(ref _lockIndex, index);
            Interlocked.CompareExchange(ref _state, (int)KvRegistrationState.Registered, (int)KvRegistrationState.Recovering);
            ConsulLog.Registered(_logger, Key, session);
            return;
        }

        var why = string.Join("; ", (answer.Errors ?? []).Select(e => e.What));
        var holder = (await _store.ReadKeyAsync(Key, cancellationToken).ConfigureAwait(false))?.Session;
        if (takeOver && holder is not null && holder != session && await IsEarlierSessionOfOursAsync(holder, session, cancellationToken).ConfigureAwait(false))
        {
            // A session of an earlier run of this registration (a killed process) still holds the key until it
            // expires: destroying it deletes the key, and ours takes it.
            ConsulLog.TookOver(_logger, Key, holder);
            await SessionCallAsync("destroy", holder, cancellationToken).ConfigureAwait(false);
            await AcquireAsync(session, takeOver: false, cancellationToken).ConfigureAwait(false);
            return;
        }

        throw new KvStoreException(holder is not null && holder != session
            ? $"{_store.Name}: {Key} is held by another session ({holder}), so it cannot be registered: {why}"
            : $"{_store.Name}: locking {Key} failed: {why}");
    }

    private async Task<bool> IsEarlierSessionOfOursAsync(string holder, string ours, CancellationToken cancellationToken)
    {
        var theirs = await InfoAsync(holder, cancellationToken).ConfigureAwait(false);
        var mine = await InfoAsync(ours, cancellationToken).ConfigureAwait(false);
        return theirs is not null && mine is not null && theirs.Name == SessionName && theirs.Node == mine.Node;
    }

    private async Task<SessionInfo?> InfoAsync(string session, CancellationToken cancellationToken)
    {
        var response = await _store.SendAsync(
            new ConsulRequest { Method = HttpMethod.Get, Path = "/v1/session/info/" + Uri.EscapeDataString(session), Idempotent = true, IsRead = true, What = $"reading session {session}" },
            cancellationToken).ConfigureAwait(false);
        return response.IsOk ? Parse(response, ConsulJsonContext.Default.ListSessionInfo)?.FirstOrDefault() : null;
    }

    /// <summary>Renews (true while the session lives) or destroys a session.</summary>
    private async Task<bool> SessionCallAsync(string verb, string session, CancellationToken cancellationToken)
    {
        var response = await _store.SendAsync(
            new ConsulRequest
            {
                Method = HttpMethod.Put,
                Path = $"/v1/session/{verb}/{Uri.EscapeDataString(session)}",
                Idempotent = true,
                What = $"{verb}ing the session of {Key}",
                ReturnErrors = true,
            },
            cancellationToken).ConfigureAwait(false);
        if (response.IsOk)
        {
            // A renewal of a session that no longer exists answers 200 with an empty list on some versions.
            return verb != "renew" || Parse(response, ConsulJsonContext.Default.ListSessionInfo) is { Count: > 0 };
        }

        if (response.IsNotFound || response.Text.Contains("not found", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        throw response.Status >= HttpStatusCode.InternalServerError
            ? new KvStoreUnavailableException($"{_store.Name}: {verb}ing the session of {Key} failed: HTTP {(int)response.Status} {response.Text}")
            : new KvStoreException($"{_store.Name}: {verb}ing the session of {Key} was refused: HTTP {(int)response.Status} {response.Text}");
    }

    private async Task DestroyQuietlyAsync(string session)
    {
        try
        {
            using var timeout = new CancellationTokenSource(_store.Options.RequestTimeout);
            await SessionCallAsync("destroy", session, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is KvStoreException or OperationCanceledException)
        {
            // It expires on its own; it holds nothing we need.
        }
    }

    private async Task KeepLoopAsync(CancellationToken cancellationToken)
    {
        var period = _ttl / 2;
        int failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                string? reason = null;
                var delay = failures > 0 ? _store.Settings.ReconnectBackoff.NextDelay(failures) : RenewalTicks.UntilNext(period);
                if (_deletes.Lost.CurrentCount > 0 || await _deletes.Lost.WaitAsync(delay, cancellationToken).ConfigureAwait(false))
                {
                    while (_deletes.Lost.CurrentCount > 0)
                    {
                        await _deletes.Lost.WaitAsync(cancellationToken).ConfigureAwait(false);
                    }

                    // A delete older than the current lock is one an earlier re-lock already answered.
                    if (_deletes.DeletedAt > Interlocked.Read(ref _lockIndex))
                    {
                        reason = "the key was deleted";
                    }
                }
                else if (State == KvRegistrationState.Recovering)
                {
                    reason = "an earlier attempt failed";
                }
                else if (!await SessionCallAsync("renew", Session!, cancellationToken).ConfigureAwait(false))
                {
                    reason = $"session {Session} expired";
                }

                if (reason is not null)
                {
                    Interlocked.CompareExchange(ref _state, (int)KvRegistrationState.Recovering, (int)KvRegistrationState.Registered);
                    ConsulLog.RegistrationLost(_logger, Key, reason);
                    if (reason == "the key was deleted" && Session is { } session && await SessionCallAsync("renew", session, cancellationToken).ConfigureAwait(false))
                    {
                        // The session still lives: lock the key with it again.
                        await AcquireAsync(session, takeOver: true, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        await CreateAsync(cancellationToken).ConfigureAwait(false);
                    }
                }

                failures = 0;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is KvStoreException or OperationCanceledException or ObjectDisposedException)
            {
                failures++;
                Interlocked.CompareExchange(ref _state, (int)KvRegistrationState.Recovering, (int)KvRegistrationState.Registered);
                ConsulLog.RegistrationRetry(_logger, Key, ex.Message);
            }
        }
    }

    private T? Parse<T>(ConsulResponse response, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        try
        {
            return JsonSerializer.Deserialize(response.Body, type);
        }
        catch (JsonException ex)
        {
            throw new KvStoreException($"{_store.Name}: an answer about the session of {Key} is not what Consul sends: {ex.Message}", ex);
        }
    }

}

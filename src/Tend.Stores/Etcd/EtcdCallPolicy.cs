using Microsoft.Extensions.Logging;
using Tend.Core.Kv;

namespace Tend.Stores.Etcd;

/// <summary>
/// The one rule for every unary etcd call, whichever transport makes it: try the endpoints in turn starting at
/// the current one; authenticate when there are credentials and no token; when etcd refuses the token, forget it,
/// authenticate again and retry once on the same endpoint; move on to the next endpoint when an idempotent call
/// failed on the way or etcd answered "unavailable", but a non-idempotent one only when it surely never left
/// (otherwise its caller hears that it may or may not have been applied). The transports only make one attempt
/// and say what its failure was (<see cref="EtcdAttemptException"/>). Also holds the auth token the streams use.
/// </summary>
internal sealed class EtcdCallPolicy : IDisposable
{
    private readonly KvStoreOptions _options;
    private readonly IEtcdAuthenticator _authenticator;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _token;
    private EtcdTokenRefusal? _refusal;

    public EtcdCallPolicy(KvStoreOptions options, EtcdEndpoints endpoints, ILogger logger, IEtcdAuthenticator authenticator)
    {
        _options = options;
        Endpoints = endpoints;
        Logger = logger;
        _authenticator = authenticator;
    }

    private enum Next
    {
        Reauthenticate,
        NextEndpoint,
        Fail,
    }

    public string Name => Endpoints.Name;

    public EtcdEndpoints Endpoints { get; }

    public ILogger Logger { get; }

    public bool HasCredentials => !string.IsNullOrEmpty(_options.Username);

    public TimeSpan RequestTimeout => _options.RequestTimeout;

    /// <summary>The token held now (null: none yet, or no credentials), for probes that must not authenticate.</summary>
    public string? CurrentToken => Volatile.Read(ref _token);

    /// <summary>Makes one call under the policy; <paramref name="attempt"/> makes one try on one endpoint with a token.</summary>
    public async Task<T> CallAsync<T>(string what, bool idempotent, Func<Uri, string?, CancellationToken, Task<T>> attempt, CancellationToken cancellationToken)
    {
        var endpoints = await Endpoints.GetAsync(cancellationToken).ConfigureAwait(false);
        int start = Endpoints.Current;
        var failures = new List<string>();
        for (int i = 0; i < endpoints.Length; i++)
        {
            int index = (start + i) % endpoints.Length;
            var endpoint = endpoints[index];
            bool reauthenticated = false;
            while (true)
            {
                string? token;
                try
                {
                    token = await TokenAsync(endpoint, cancellationToken).ConfigureAwait(false);
                }
                catch (EtcdAttemptException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    // Only the authentication failed to get through: the call itself never left.
                    Failed(failures, endpoint, ex.Message);
                    break;
                }
                catch (EtcdAttemptException ex)
                {
                    // Cancelled meanwhile: the attempt's failure is the cancellation's, and an attempt
                    // exception never reaches a caller.
                    throw new OperationCanceledException($"{what} was cancelled: {ex.Message}", ex, cancellationToken);
                }

                try
                {
                    var answer = await attempt(endpoint, token, cancellationToken).ConfigureAwait(false);
                    Endpoints.Succeeded(endpoint, index);
                    return answer;
                }
                catch (EtcdAttemptException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    var next = Decide(ex, idempotent, reauthenticated);
                    if (next == Next.Reauthenticate)
                    {
                        // Simple tokens expire when idle and vanish when a member restarts: get a new one, retry once
                        // (the renewal is logged once the new token is in).
                        reauthenticated = true;
                        InvalidateToken(token, what, ex.Message);
                        continue;
                    }

                    if (next == Next.Fail)
                    {
                        if (ex.Failure == EtcdFailure.Refused)
                        {
                            // The server answered, if only to refuse: it is reachable.
                            Endpoints.Health.Connected();
                        }
                        else
                        {
                            Endpoints.Health.Lost(ex.Failure == EtcdFailure.TimedOut ? $"{what} on {endpoint} timed out after {RequestTimeout}" : ex.Message);
                        }

                        throw ToException(what, endpoint, ex);
                    }

                    Failed(failures, endpoint, ex.Failure == EtcdFailure.TimedOut ? $"timed out after {RequestTimeout}" : ex.Message);
                    break;
                }
                catch (EtcdAttemptException ex)
                {
                    throw new OperationCanceledException($"{what} was cancelled: {ex.Message}", ex, cancellationToken);
                }
            }

            // Later calls start at the next endpoint rather than at the one that just failed.
            Endpoints.MoveOn(index, endpoints.Length);
        }

        var message = $"{Name}: no endpoint could serve {what}: {string.Join("; ", failures)}";
        Endpoints.Health.Failed(message);
        throw new KvStoreUnavailableException(message);
    }

    /// <summary>
    /// The token to send to <paramref name="endpoint"/>: null without credentials, "" when etcd's auth is off;
    /// authenticates first when there is none. A failure to reach etcd is an <see cref="EtcdAttemptException"/>
    /// (try another endpoint); a refusal of the credentials is a <see cref="KvAuthenticationException"/>.
    /// </summary>
    public async Task<string?> TokenAsync(Uri endpoint, CancellationToken cancellationToken)
    {
        if (!HasCredentials)
        {
            return null;
        }

        var token = Volatile.Read(ref _token);
        if (token is not null)
        {
            return token;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_token is not null)
            {
                return _token;
            }

            try
            {
                _token = await _authenticator.AuthenticateAsync(endpoint, _options.Username!, _options.Password ?? string.Empty, cancellationToken).ConfigureAwait(false);
                if (Interlocked.Exchange(ref _refusal, null) is { } refusal)
                {
                    EtcdLog.TokenRenewed(Logger, _options.Username!, endpoint, refusal.What, refusal.Reason);
                }

                return _token;
            }
            catch (EtcdAttemptException ex) when (ex.Error is { } error)
            {
                if (error.Message.Contains("authentication is not enabled", StringComparison.OrdinalIgnoreCase))
                {
                    _token = string.Empty;
                    return _token;
                }

                if (EtcdErrors.IsUnavailable(error))
                {
                    throw new EtcdAttemptException(EtcdFailure.NotSent, $"authentication on {endpoint} failed: {error.Message}", ex);
                }

                throw new KvAuthenticationException($"{Name}: authentication as '{_options.Username}' failed: {error.Message}");
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The server refused <paramref name="token"/> during <paramref name="what"/>: forget it (if it is still the one
    /// held), so the next call authenticates again; the renewal is logged with <paramref name="reason"/>.
    /// </summary>
    public void InvalidateToken(string? token, string what, string reason)
    {
        if (HasCredentials && token is not null && Interlocked.CompareExchange(ref _token, null, token) == token)
        {
            Volatile.Write(ref _refusal, new EtcdTokenRefusal(what, reason));
        }
    }

    /// <summary>The typed exception for etcd's refusal of <paramref name="what"/>.</summary>
    public KvStoreException ToException(string what, EtcdError error) => EtcdErrors.ToException(Name, _options.Username, what, error);

    public void Dispose() => _gate.Dispose();

    private Next Decide(EtcdAttemptException ex, bool idempotent, bool reauthenticated)
    {
        if (ex.Error is not { } error)
        {
            // Failed on the way. Only a request that never left may be sent again when it is not idempotent.
            return idempotent || ex.Failure == EtcdFailure.NotSent ? Next.NextEndpoint : Next.Fail;
        }

        if (HasCredentials && !reauthenticated && EtcdErrors.IsTokenProblem(error))
        {
            return Next.Reauthenticate;
        }

        // "No leader", "leader changed": another member may serve a read; a write stays where it may have landed.
        return idempotent && EtcdErrors.IsUnavailable(error) ? Next.NextEndpoint : Next.Fail;
    }

    private KvStoreException ToException(string what, Uri endpoint, EtcdAttemptException ex) => ex.Failure switch
    {
        EtcdFailure.Refused => ToException(what, ex.Error!.Value),
        EtcdFailure.TimedOut => new KvStoreUnavailableException($"{Name}: {what} on {endpoint} timed out after {RequestTimeout}; it may or may not have been applied.", ex.InnerException ?? ex),
        _ => new KvStoreUnavailableException($"{Name}: {what} on {endpoint} failed after it was sent ({ex.Message}); it may or may not have been applied.", ex.InnerException ?? ex),
    };

    private void Failed(List<string> failures, Uri endpoint, string reason)
    {
        failures.Add($"{endpoint}: {reason}");
        EtcdLog.EndpointFailed(Logger, endpoint, reason);
    }
}

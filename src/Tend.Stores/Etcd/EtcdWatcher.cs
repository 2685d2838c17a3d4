using System.Text.Json;
using Grpc.Core;
using System.Runtime.CompilerServices;
using Tend.Core.Kv;

namespace Tend.Stores.Etcd;

/// <summary>
/// The session state machine behind one <see cref="EtcdKvStore.WatchAsync"/>, as the async iterator the caller
/// enumerates: opens a watch stream on the prefix's range, turns its messages into batches, and when the stream
/// breaks or stalls opens a new one (on the next endpoint, after a jittered backoff) at the last delivered
/// revision + 1. A compacted start revision becomes a resync from a fresh listing. Each revision reaches the
/// reader exactly once. Nothing runs between two reads of the caller: the stream is read when a batch is asked for.
/// </summary>
internal sealed class EtcdWatcher
{
    private readonly EtcdKvStore _store;
    private readonly string _prefix;
    private readonly byte[] _rangeStart;
    private readonly byte[] _rangeEnd;
    private readonly List<KvChangeBatch> _ready = [];
    private long _next;
    private int _failures;
    private bool _retriedDenied;
    private bool _retriedToken;

    // Whether the stream of the current attempt got any answer: a stream that breaks after it worked is a
    // lost connection (tried again at once), one that never worked means the server is unreachable.
    private bool _answered;

    public EtcdWatcher(EtcdKvStore store, string prefix, long fromRevision)
    {
        _store = store;
        _prefix = prefix;
        _next = Math.Max(0, fromRevision);
        (_rangeStart, _rangeEnd) = EtcdKeys.Covering(prefix);
    }

    /// <summary>The batches, until cancelled; a permanent error (auth, bad request) ends the enumeration with it.</summary>
    public async IAsyncEnumerable<KvChangeBatch> RunAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string reason;
            bool compacted = false;
            bool tokenRefused = false;
            IEtcdWatchStream? stream = null;
            _answered = false;
            try
            {
                stream = await _store.Transport.WatchAsync(new EtcdWatchCreate(_rangeStart, _rangeEnd, _next), cancellationToken).ConfigureAwait(false);
                reason = string.Empty;
            }
            catch (Exception ex) when (IsRetryable(ex, cancellationToken))
            {
                reason = ex.Message;
                tokenRefused = ex is EtcdTokenRefusedException;
            }

            if (stream is not null)
            {
                await using (stream.ConfigureAwait(false))
                {
                    while (true)
                    {
                        EtcdWatchResponse? message;
                        try
                        {
                            message = await stream.ReadAsync(cancellationToken).ConfigureAwait(false);
                            if (message is null)
                            {
                                reason = "the server closed the stream";
                                break;
                            }

                            compacted = !Handle(message, stream);
                        }
                        catch (Exception ex) when (IsRetryable(ex, cancellationToken))
                        {
                            reason = ex.Message;
                            tokenRefused = ex is EtcdTokenRefusedException;
                            break;
                        }

                        foreach (var batch in _ready)
                        {
                            yield return batch;
                        }

                        _ready.Clear();
                        if (compacted)
                        {
                            break;
                        }
                    }
                }
            }

            if (compacted)
            {
                KvSnapshot? snapshot = null;
                try
                {
                    snapshot = await _store.ListAsync(_prefix, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (IsRetryable(ex, cancellationToken))
                {
                    reason = ex.Message;
                }

                if (snapshot is not null)
                {
                    _next = snapshot.Revision + 1;
                    _failures = 0;
                    yield return KvChangeBatch.FromResync(snapshot);
                    continue;
                }
            }

            if (tokenRefused && !_retriedToken)
            {
                // A routine token expiry: the token is dropped, a new stream authenticates afresh (and the
                // renewal is logged); no outage to report and no reason to wait.
                _retriedToken = true;
                continue;
            }

            if (_answered)
            {
                _store.Connectivity.Lost(reason);
            }
            else
            {
                _store.Connectivity.Failed(reason);
            }

            _failures++;
            var delay = _store.Settings.ReconnectBackoff.NextDelay(_failures);
            EtcdLog.WatchBroken(_store.Logger, _prefix, _next - 1, reason, delay.TotalMilliseconds);
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A failure a new stream may cure; authentication and etcd's refusals of the request are not.</summary>
    private static bool IsRetryable(Exception ex, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested
        && ex is HttpRequestException or IOException or JsonException or KvStoreUnavailableException or OperationCanceledException;

    /// <summary>Handles one stream message, its batches into <see cref="_ready"/>; false when the start revision was compacted.</summary>
    private bool Handle(EtcdWatchResponse message, IEtcdWatchStream stream)
    {
        _answered = true;
        _store.Connectivity.Connected();
        if (message.Error is { } error)
        {
            if (EtcdErrors.IsTokenProblem(error))
            {
                stream.TokenRefused(error.Message);
                throw new EtcdTokenRefusedException($"{_store.Name}: the watch was refused: {error.Message}");
            }

            if (error.Code == StatusCode.PermissionDenied)
            {
                throw new KvAuthenticationException($"{_store.Name}: watching {_prefix} was refused: {error.Message}");
            }

            throw new KvStoreUnavailableException($"{_store.Name}: the watch stream failed: {error.Message}");
        }

        if (message.CompactRevision > 0)
        {
            EtcdLog.WatchCompacted(_store.Logger, _prefix, _next, message.CompactRevision);
            return false;
        }

        if (message.Canceled)
        {
            var reason = message.CancelReason ?? "no reason given";
            bool tokenProblem = EtcdErrors.IsTokenProblem(new EtcdError(StatusCode.Unauthenticated, reason));
            bool denied = reason.Contains("permission denied", StringComparison.OrdinalIgnoreCase);

            // The token expired or the member restarted and forgot it: authenticate again and retry. A shared gRPC
            // stream checks the token it was opened with at every create and calls an expired one "permission
            // denied", so that is retried once on a fresh stream before it counts as a real refusal.
            if (_store.Transport.HasCredentials && (tokenProblem || (denied && !_retriedDenied)))
            {
                _retriedDenied |= denied;
                stream.TokenRefused(reason);
                throw new EtcdTokenRefusedException($"{_store.Name}: the watch was refused: {reason}");
            }

            if (denied || tokenProblem)
            {
                var hint = _store.Transport.HasCredentials ? string.Empty : "; etcd requires authentication: set a user name and password";
                throw new KvAuthenticationException($"{_store.Name}: watching {_prefix} was refused: {reason}{hint}");
            }

            throw new KvStoreUnavailableException($"{_store.Name}: the server cancelled the watch: {reason}");
        }

        if (message.Created)
        {
            _failures = 0;
            _retriedDenied = false;
            _retriedToken = false;
            if (_next == 0)
            {
                // "From now": everything after the revision the watch was created at.
                _next = message.Revision + 1;
            }

            return true;
        }

        if (message.Events.Count == 0)
        {
            // A progress notification: every change up to this revision was delivered.
            if (message.Revision >= _next && _next > 0)
            {
                _next = message.Revision + 1;
                _ready.Add(KvChangeBatch.Progress(message.Revision));
            }

            return true;
        }

        Deliver(message.Events);
        return true;
    }

    private void Deliver(List<EtcdEvent> events)
    {
        List<KvChange>? batch = null;
        long batchRevision = 0;
        long skippedTo = 0;
        foreach (var e in events)
        {
            long rev = e.Kv.ModRevision;
            if (rev < _next)
            {
                // Already delivered before a reconnect.
                continue;
            }

            if (batch is not null && rev != batchRevision)
            {
                Flush(batch, batchRevision);
                batch = null;
            }

            var key = e.Kv.Key;
            if (!KeyPath.IsUnder(key, _prefix) || !KeyPath.IsNormalized(key))
            {
                // In the watched range ("/app-x" for "/app") but not under the path, or under it
                // but not a normalised path ("/app//x"), which is reported rather than dropped silently.
                if (KeyPath.IsUnder(key, _prefix))
                {
                    _store.SkippedKeys.Report(key, KeyPath.Problem(key)!);
                }

                skippedTo = Math.Max(skippedTo, rev);
                continue;
            }

            batch ??= [];
            batchRevision = rev;
            batch.Add(e.IsDelete ? KvChange.Delete(key, rev, e.PreviousValue) : KvChange.Put(key, e.Kv.Value, rev, e.PreviousValue));
        }

        if (batch is not null)
        {
            Flush(batch, batchRevision);
        }

        if (skippedTo >= _next)
        {
            // Only changes outside the path were left: still tell the reader how far it has seen.
            _next = skippedTo + 1;
            _ready.Add(KvChangeBatch.Progress(skippedTo));
        }
    }

    private void Flush(List<KvChange> batch, long revision)
    {
        _ready.Add(KvChangeBatch.FromChanges(batch, revision));
        _next = revision + 1;
    }
}

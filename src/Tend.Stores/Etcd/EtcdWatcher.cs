using System.Text.Json;
using System.Threading.Channels;
using Tend.Core.Kv;

namespace Tend.Stores.Etcd;

/// <summary>
/// The session state machine behind one <see cref="EtcdKvStore.WatchAsync"/>: opens a watch stream on
/// the prefix's range, turns its messages into batches, and when the stream breaks or stalls opens a new
/// one (on the next endpoint, after a jittered backoff) at the last delivered revision + 1. A compacted
/// start revision becomes a resync from a fresh listing. Each revision reaches the reader exactly once.
/// </summary>
internal sealed class EtcdWatcher
{
    private readonly EtcdKvStore _store;
    private readonly string _prefix;
    private readonly ChannelWriter<KvChangeBatch> _output;
    private readonly byte[] _rangeStart;
    private readonly byte[] _rangeEnd;
    private long _next;
    private int _failures;
    private bool _retriedDenied;
    private bool _retriedToken;

    // Whether the stream of the current attempt got any answer: a stream that breaks after it worked is a
    // lost connection (tried again at once), one that never worked means the server is unreachable.
    private bool _answered;

    public EtcdWatcher(EtcdKvStore store, string prefix, long fromRevision, ChannelWriter<KvChangeBatch> output)
    {
        _store = store;
        _prefix = prefix;
        _next = Math.Max(0, fromRevision);
        _output = output;
        (_rangeStart, _rangeEnd) = EtcdKeys.Covering(prefix);
    }

    private enum StreamEnd
    {
        Closed,
        Compacted,
    }

    /// <summary>Runs until cancelled; a permanent error (auth, bad request) completes the output with it.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                string reason;
                try
                {
                    var end = await RunStreamAsync(cancellationToken).ConfigureAwait(false);
                    if (end == StreamEnd.Compacted)
                    {
                        await ResyncAsync(cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    reason = "the server closed the stream";
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
                catch (KvAuthenticationException)
                {
                    throw;
                }
                catch (EtcdServerException)
                {
                    throw;
                }
                catch (EtcdTokenRefusedException) when (!_retriedToken)
                {
                    // A routine token expiry: the token is dropped, a new stream authenticates afresh (and
                    // the renewal is logged); no outage to report and no reason to wait.
                    _retriedToken = true;
                    continue;
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException or JsonException or KvStoreUnavailableException or OperationCanceledException)
                {
                    reason = ex.Message;
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
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _output.TryComplete();
        }
        catch (Exception ex)
        {
            _output.TryComplete(ex);
        }
    }

    private async Task<StreamEnd> RunStreamAsync(CancellationToken cancellationToken)
    {
        _answered = false;
        var stream = await _store.Transport.WatchAsync(new EtcdWatchCreate(_rangeStart, _rangeEnd, _next), cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            while (true)
            {
                var message = await stream.ReadAsync(cancellationToken).ConfigureAwait(false);
                if (message is null)
                {
                    return StreamEnd.Closed;
                }

                if (!await HandleAsync(message, stream, cancellationToken).ConfigureAwait(false))
                {
                    return StreamEnd.Compacted;
                }
            }
        }
    }

    /// <summary>Handles one stream message; false when the start revision was compacted.</summary>
    private async Task<bool> HandleAsync(EtcdWatchResponse message, IEtcdWatchStream stream, CancellationToken cancellationToken)
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

            if (error.Code == 7)
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
            bool tokenProblem = EtcdErrors.IsTokenProblem(new EtcdError(16, reason));
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
                await _output.WriteAsync(KvChangeBatch.Progress(message.Revision), cancellationToken).ConfigureAwait(false);
            }

            return true;
        }

        await DeliverAsync(message.Events, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task DeliverAsync(List<EtcdEvent> events, CancellationToken cancellationToken)
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
                await FlushAsync(batch, batchRevision, cancellationToken).ConfigureAwait(false);
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
            await FlushAsync(batch, batchRevision, cancellationToken).ConfigureAwait(false);
        }

        if (skippedTo >= _next)
        {
            // Only changes outside the path were left: still tell the reader how far it has seen.
            _next = skippedTo + 1;
            await _output.WriteAsync(KvChangeBatch.Progress(skippedTo), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task FlushAsync(List<KvChange> batch, long revision, CancellationToken cancellationToken)
    {
        await _output.WriteAsync(KvChangeBatch.FromChanges(batch, revision), cancellationToken).ConfigureAwait(false);
        _next = revision + 1;
    }

    private async Task ResyncAsync(CancellationToken cancellationToken)
    {
        var snapshot = await _store.ListAsync(_prefix, cancellationToken).ConfigureAwait(false);
        await _output.WriteAsync(KvChangeBatch.FromResync(snapshot), cancellationToken).ConfigureAwait(false);
        _next = snapshot.Revision + 1;
        _failures = 0;
    }
}

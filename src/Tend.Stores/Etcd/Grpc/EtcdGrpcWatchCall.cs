using Grpc.Core;
using Tend.Core.Kv;

namespace Tend.Stores.Etcd.Grpc;

/// <summary>
/// One open <c>Watch</c> stream on one endpoint: writes are serialised, one reader routes answers to the
/// watches by id, a watchdog tears the stream down when it stalls. Once broken it stays broken; the hub
/// opens a new one.
/// </summary>
internal sealed class EtcdGrpcWatchCall
{
    private readonly EtcdGrpcConnection _connection;
    private readonly AsyncDuplexStreamingCall<WatchRequest, WatchResponse> _call;
    private readonly CancellationTokenSource _cts = new();
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly Lock _gate = new();
    private readonly Dictionary<long, EtcdGrpcWatchStream> _watches = [];

    // Creates in the order they were written. etcd answers them in that order, but a refused create carries
    // no usable watch id (-1), and older servers pick their own ids: so a "created" answer belongs to the
    // oldest create still waiting, and a watch then goes by the id the server gave it.
    private readonly Queue<EtcdGrpcWatchStream> _creating = new();
    private readonly Action<EtcdGrpcWatchCall> _onBroken;
    private readonly string? _token;
    private Task _reader = Task.CompletedTask;
    private Task _watchdog = Task.CompletedTask;
    private long _lastActivity;
    private volatile bool _broken;
    private Exception? _failure;

    private EtcdGrpcWatchCall(EtcdGrpcConnection connection, Uri endpoint, string? token, Action<EtcdGrpcWatchCall> onBroken)
    {
        _connection = connection;
        Endpoint = endpoint;
        _token = token;
        _onBroken = onBroken;
        _lastActivity = Environment.TickCount64;
        var options = new CallOptions(EtcdGrpcConnection.Headers(token, requireLeader: true), cancellationToken: _cts.Token);
        _call = new Watch.WatchClient(connection.Invoker(endpoint)).Watch(options);
    }

    public Uri Endpoint { get; }

    public bool IsBroken => _broken;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _watches.Count + _creating.Count;
            }
        }
    }

    public static EtcdGrpcWatchCall Open(EtcdGrpcConnection connection, EtcdStoreSettings settings, Uri endpoint, string? token, Action<EtcdGrpcWatchCall> onBroken)
    {
        var call = new EtcdGrpcWatchCall(connection, endpoint, token, onBroken);
        call._reader = Task.Run(call.ReadLoopAsync, CancellationToken.None);
        call._watchdog = EtcdStreamWatchdog.RunAsync(call.LastActivity, endpoint, connection.ProbeAsync, settings, connection.Logger, call.Describe, call._cts);
        return call;
    }

    public void Add(EtcdGrpcWatchStream watch)
    {
        lock (_gate)
        {
            if (!_broken)
            {
                _creating.Enqueue(watch);
                return;
            }
        }

        watch.Fail(Failure());
    }

    /// <summary>Takes a watch off the stream; when the server still runs it, sends a cancel request.</summary>
    public async Task RemoveAsync(EtcdGrpcWatchStream watch, bool cancelOnServer)
    {
        lock (_gate)
        {
            if (_broken)
            {
                return;
            }

            if (!_watches.Remove(watch.ServerId))
            {
                // Still waiting for its "created": the reader cancels it on the server when that arrives.
                watch.Removed = true;
                return;
            }
        }

        if (cancelOnServer)
        {
            using var timeout = new CancellationTokenSource(_connection.RequestTimeout);
            try
            {
                await WriteAsync(new WatchRequest { CancelRequest = new WatchCancelRequest { WatchId = watch.ServerId } }, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is KvStoreException or OperationCanceledException)
            {
                // The stream broke meanwhile; nothing runs there any more.
            }
        }
    }

    public async Task WriteAsync(WatchRequest request, CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_broken)
            {
                return;
            }

            await _call.RequestStream.WriteAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RpcException or IOException or InvalidOperationException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // The watches on this stream learn of it through Break; the caller's watch among them.
            Break(Translate(ex));
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>The server refused the token the stream was opened with: forget it and open a new stream.</summary>
    public void TokenRefused(string reason)
    {
        _connection.InvalidateToken(_token, "the watch", reason);
        Break(new EtcdTokenRefusedException($"{_connection.Name}: the watch stream's auth token was refused ({reason}); authenticating again."), markFailed: false);
    }

    public async Task CloseAsync(Exception reason)
    {
        Break(reason, markFailed: false);
        await _reader.ConfigureAwait(false);
        await _watchdog.ConfigureAwait(false);
    }

    private long LastActivity() => Volatile.Read(ref _lastActivity);

    private string Describe() => $"{Count} watch(es) on one stream";

    private async Task ReadLoopAsync()
    {
        Exception failure;
        try
        {
            var responses = _call.ResponseStream;
            while (await responses.MoveNext(_cts.Token).ConfigureAwait(false))
            {
                Volatile.Write(ref _lastActivity, Environment.TickCount64);
                _connection.Endpoints.Answered(Endpoint);
                var response = responses.Current;
                EtcdGrpcWatchStream? watch = null;
                bool cancelOrphan = false;
                lock (_gate)
                {
                    if (response.Created && _creating.TryDequeue(out var created))
                    {
                        created.ServerId = response.WatchId;
                        if (created.Removed)
                        {
                            cancelOrphan = !response.Canceled;
                        }
                        else
                        {
                            watch = created;
                            if (!response.Canceled)
                            {
                                _watches[response.WatchId] = created;
                            }
                        }
                    }
                    else
                    {
                        _watches.TryGetValue(response.WatchId, out watch);
                        if (watch is not null && response.Canceled && !response.Fragment)
                        {
                            _watches.Remove(response.WatchId);
                        }
                    }
                }

                // Answers for a watch already taken off (its cancel confirmation, events in flight) are dropped.
                watch?.Deliver(response);
                if (cancelOrphan)
                {
                    await WriteAsync(new WatchRequest { CancelRequest = new WatchCancelRequest { WatchId = response.WatchId } }, _cts.Token).ConfigureAwait(false);
                }
            }

            failure = new KvStoreUnavailableException($"{_connection.Name}: the server closed the watch stream on {Endpoint}.");
        }
        catch (Exception ex)
        {
            // Whatever ended the reader (a transport error, an answer that does not parse) ends the stream for
            // every watch on it, so none waits forever.
            failure = _cts.IsCancellationRequested && _failure is null
                ? new KvStoreUnavailableException($"{_connection.Name}: the watch stream on {Endpoint} stalled.")
                : Translate(ex);
        }

        Break(failure);
    }

    private KvStoreException Translate(Exception ex)
    {
        if (ex is RpcException rpc && !EtcdGrpcConnection.IsTransportFailure(rpc, CancellationToken.None))
        {
            var error = EtcdGrpcConnection.ToError(rpc);
            if (EtcdErrors.IsTokenProblem(error))
            {
                _connection.InvalidateToken(_token, "the watch", error.Message);
                return new EtcdTokenRefusedException($"{_connection.Name}: the watch stream was refused: {error.Message}");
            }

            if (EtcdErrors.IsAuthProblem(error))
            {
                return _connection.ToException("watch", error);
            }

            return new KvStoreUnavailableException($"{_connection.Name}: the watch stream on {Endpoint} failed: {error.Message} (code {(int)error.Code})");
        }

        var reason = ex is RpcException r ? EtcdGrpcConnection.Describe(r) : EtcdErrors.Describe(ex);
        return new KvStoreUnavailableException($"{_connection.Name}: the watch stream on {Endpoint} broke: {reason}", ex);
    }

    private Exception Failure() => _failure ?? new KvStoreUnavailableException($"{_connection.Name}: the watch stream on {Endpoint} broke.");

    private void Break(Exception failure, bool markFailed = true)
    {
        EtcdGrpcWatchStream[] watches;
        lock (_gate)
        {
            if (_broken)
            {
                return;
            }

            _failure = failure;
            _broken = true;
            watches = [.. _watches.Values, .. _creating];
            _watches.Clear();
            _creating.Clear();
        }

        _onBroken(this);
        if (markFailed && failure is not KvAuthenticationException)
        {
            _connection.Endpoints.MarkFailed(Endpoint);
        }

        _cts.Cancel();
        _call.Dispose();
        foreach (var w in watches)
        {
            w.Fail(failure);
        }
    }
}

using System.Collections.Concurrent;
using Grpc.Core;
using Tend.Core.Kv;

namespace Tend.Stores.Etcd.Grpc;

/// <summary>
/// Lease renewals of one store on one bidirectional <c>LeaseKeepAlive</c> stream: a renewal writes the
/// lease id and waits for the answer carrying that id. A stream that breaks or does not answer within
/// the request timeout fails the renewals waiting on it and is replaced on the next one (next endpoint first).
/// </summary>
internal sealed class EtcdGrpcLeaseKeeper : IAsyncDisposable
{
    private readonly EtcdGrpcConnection _connection;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private KeepAliveStream? _stream;

    public EtcdGrpcLeaseKeeper(EtcdGrpcConnection connection)
    {
        _connection = connection;
    }

    /// <summary>Renews <paramref name="lease"/> once; its remaining TTL in seconds, 0 or less when it is gone.</summary>
    public async Task<long> KeepAliveAsync(long lease, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_connection.RequestTimeout);
        KeepAliveStream? stream = null;
        try
        {
            await _gate.WaitAsync(timeout.Token).ConfigureAwait(false);
            Task<long> answer;
            try
            {
                stream = _stream is { Broken: false } s ? s : await OpenAsync(timeout.Token).ConfigureAwait(false);
                answer = stream.Expect(lease);
                await stream.Call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = lease }, timeout.Token).ConfigureAwait(false);
            }
            finally
            {
                _gate.Release();
            }

            return await answer.WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            var endpoint = stream?.Endpoint;
            stream?.Break(new KvStoreUnavailableException($"{_connection.Name}: lease keep-alive on {endpoint} timed out."));
            throw new KvStoreUnavailableException($"{_connection.Name}: renewing lease {lease} timed out after {_connection.RequestTimeout} on {endpoint?.ToString() ?? "no endpoint"}.", ex);
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            var failure = stream?.Translate(ex) ?? new KvStoreUnavailableException(EtcdGrpcConnection.Describe(ex), ex);
            stream?.Break(failure);
            throw failure;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is IOException or InvalidOperationException)
        {
            // The stream broke (and was disposed) between choosing it and writing to it: an object-disposed
            // error here means "unavailable, try again" like any other broken stream.
            var failure = new KvStoreUnavailableException($"{_connection.Name}: the lease keep-alive stream on {stream?.Endpoint} broke: {ex.Message}", ex);
            stream?.Break(failure);
            throw failure;
        }
    }

    public async ValueTask DisposeAsync()
    {
        var stream = Interlocked.Exchange(ref _stream, null);
        if (stream is not null)
        {
            stream.Break(new KvStoreUnavailableException($"{_connection.Name}: the store was disposed."), markFailed: false);
            await stream.Reader.ConfigureAwait(false);
        }

        _gate.Dispose();
    }

    private async Task<KeepAliveStream> OpenAsync(CancellationToken cancellationToken)
    {
        var endpoint = await _connection.Endpoints.GetCurrentAsync(cancellationToken).ConfigureAwait(false);
        string? token;
        try
        {
            token = await _connection.Policy.TokenAsync(endpoint, cancellationToken).ConfigureAwait(false);
        }
        catch (EtcdAttemptException ex) when (!cancellationToken.IsCancellationRequested)
        {
            _connection.Endpoints.MarkFailed(endpoint);
            throw new KvStoreUnavailableException($"{_connection.Name}: authentication on {endpoint} failed: {ex.Message}", ex);
        }

        var stream = new KeepAliveStream(_connection, endpoint, token);
        _stream = stream;
        return stream;
    }

    /// <summary>One open keep-alive stream and the renewals waiting for an answer on it.</summary>
    private sealed class KeepAliveStream
    {
        private readonly EtcdGrpcConnection _connection;
        private readonly CancellationTokenSource _cts = new();
        private readonly ConcurrentDictionary<long, List<TaskCompletionSource<long>>> _waiting = new();
        private readonly string? _token;
        private int _broken;

        public KeepAliveStream(EtcdGrpcConnection connection, Uri endpoint, string? token)
        {
            _connection = connection;
            Endpoint = endpoint;
            _token = token;
            Call = new Lease.LeaseClient(connection.Invoker(endpoint)).LeaseKeepAlive(new CallOptions(EtcdGrpcConnection.Headers(token), cancellationToken: _cts.Token));
            Reader = Task.Run(ReadLoopAsync, CancellationToken.None);
        }

        public Uri Endpoint { get; }

        public AsyncDuplexStreamingCall<LeaseKeepAliveRequest, LeaseKeepAliveResponse> Call { get; }

        public Task Reader { get; }

        public bool Broken => Volatile.Read(ref _broken) != 0;

        public Task<long> Expect(long lease)
        {
            var tcs = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            var list = _waiting.GetOrAdd(lease, _ => []);
            lock (list)
            {
                list.Add(tcs);
            }

            if (Broken)
            {
                tcs.TrySetException(new KvStoreUnavailableException($"{_connection.Name}: the lease keep-alive stream on {Endpoint} broke."));
            }

            return tcs.Task;
        }

        public KvStoreException Translate(RpcException ex)
        {
            if (EtcdGrpcConnection.IsTransportFailure(ex, CancellationToken.None))
            {
                return new KvStoreUnavailableException($"{_connection.Name}: the lease keep-alive stream on {Endpoint} broke: {EtcdGrpcConnection.Describe(ex)}", ex);
            }

            var error = EtcdGrpcConnection.ToError(ex);
            if (EtcdErrors.IsTokenProblem(error))
            {
                _connection.InvalidateToken(_token, "the lease keep-alive", error.Message);
                return new EtcdTokenRefusedException($"{_connection.Name}: lease keep-alive refused the token: {error.Message}");
            }

            return _connection.ToException("lease keep-alive", error);
        }

        public void Break(Exception failure, bool markFailed = true)
        {
            if (Interlocked.Exchange(ref _broken, 1) != 0)
            {
                return;
            }

            if (markFailed)
            {
                _connection.Endpoints.MarkFailed(Endpoint);
            }

            _cts.Cancel();
            Call.Dispose();
            foreach (var list in _waiting.Values)
            {
                lock (list)
                {
                    foreach (var tcs in list)
                    {
                        tcs.TrySetException(failure);
                    }

                    list.Clear();
                }
            }
        }

        private async Task ReadLoopAsync()
        {
            Exception failure;
            try
            {
                while (await Call.ResponseStream.MoveNext(_cts.Token).ConfigureAwait(false))
                {
                    var answer = Call.ResponseStream.Current;
                    _connection.Endpoints.Answered(Endpoint);
                    if (_waiting.TryGetValue(answer.ID, out var list))
                    {
                        lock (list)
                        {
                            foreach (var tcs in list)
                            {
                                tcs.TrySetResult(answer.TTL);
                            }

                            list.Clear();
                        }
                    }
                }

                failure = new KvStoreUnavailableException($"{_connection.Name}: the server closed the lease keep-alive stream on {Endpoint}.");
            }
            catch (RpcException ex)
            {
                failure = Translate(ex);
            }
            catch (Exception ex)
            {
                failure = new KvStoreUnavailableException($"{_connection.Name}: the lease keep-alive stream on {Endpoint} broke: {ex.Message}", ex);
            }

            Break(failure);
        }
    }
}

using Grpc.Core;
using Tend.Core.Kv;

namespace Tend.Stores.Etcd.Grpc;

/// <summary>
/// Every watch of one store on one bidirectional <c>Watch</c> stream: each watch is a create request with a
/// watch id of our choosing, its answers are routed by that id, and disposing it sends a cancel request.
/// When the stream breaks (server gone, stalled, "no leader") every watch on it fails with a retryable error
/// and its watcher creates it again, at its own next revision, on a fresh stream (the next endpoint first).
/// A compaction or a refusal concerns one watch id only; the others carry on.
/// </summary>
internal sealed class EtcdGrpcWatchHub : IAsyncDisposable
{
    private readonly EtcdGrpcConnection _connection;
    private readonly EtcdStoreSettings _settings;
    private readonly SemaphoreSlim _opening = new(1, 1);
    private EtcdGrpcWatchCall? _current;
    private long _nextWatchId;
    private int _streamsOpened;

    public EtcdGrpcWatchHub(EtcdGrpcConnection connection, EtcdStoreSettings settings)
    {
        _connection = connection;
        _settings = settings;
    }

    /// <summary>How many watch streams this store has opened so far (one, unless streams broke).</summary>
    public int StreamsOpened => Volatile.Read(ref _streamsOpened);

    /// <summary>How many watches run on the current stream.</summary>
    public int ActiveWatches => Volatile.Read(ref _current)?.Count ?? 0;

    /// <summary>Adds a watch to the shared stream (opening one when there is none or it broke).</summary>
    public async Task<IEtcdWatchStream> CreateAsync(EtcdWatchCreate create, CancellationToken cancellationToken)
    {
        var call = await GetCallAsync(cancellationToken).ConfigureAwait(false);
        long id = Interlocked.Increment(ref _nextWatchId);
        var watch = new EtcdGrpcWatchStream(call, id);

        // Registered before the create request is written, so its first answer always finds it.
        call.Add(watch);
        await call.WriteAsync(EtcdGrpcCodec.Create(create, id), cancellationToken).ConfigureAwait(false);
        return watch;
    }

    public async ValueTask DisposeAsync()
    {
        var call = Interlocked.Exchange(ref _current, null);
        if (call is not null)
        {
            await call.CloseAsync(new KvStoreUnavailableException($"{_connection.Name}: the store was disposed.")).ConfigureAwait(false);
        }

        _opening.Dispose();
    }

    private async Task<EtcdGrpcWatchCall> GetCallAsync(CancellationToken cancellationToken)
    {
        var call = Volatile.Read(ref _current);
        if (call is { IsBroken: false })
        {
            return call;
        }

        await _opening.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            call = _current;
            if (call is { IsBroken: false })
            {
                return call;
            }

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

            call = EtcdGrpcWatchCall.Open(_connection, _settings, endpoint, token, c => Interlocked.CompareExchange(ref _current, null, c));
            Interlocked.Increment(ref _streamsOpened);
            _current = call;
            return call;
        }
        finally
        {
            _opening.Release();
        }
    }
}

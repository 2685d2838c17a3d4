using Microsoft.Extensions.Logging;
using Tend.Core.Kv;

namespace Tend.Stores.Etcd.Gateway;

/// <summary>
/// One gateway watch: a POST to <c>/v3/watch</c> whose answer streams JSON objects, framed as bytes arrive.
/// The HTTP/1.1 gateway takes its create request in the body only, so each watch has a stream of its own.
/// </summary>
internal sealed class EtcdGatewayWatchStream : IEtcdWatchStream
{
    private readonly EtcdGatewayConnection _connection;
    private readonly EtcdEndpoints _endpoints;
    private readonly HttpResponseMessage _response;
    private readonly string? _token;
    private readonly CancellationTokenSource _cts;
    private readonly JsonStreamFramer _framer = new();
    private readonly CancellationToken _owner;
    private Stream? _stream;
    private Task _watchdog = Task.CompletedTask;
    private long _lastActivity;

    private EtcdGatewayWatchStream(EtcdGatewayConnection connection, EtcdEndpoints endpoints, HttpResponseMessage response, Uri endpoint, string? token, CancellationToken owner)
    {
        _connection = connection;
        _endpoints = endpoints;
        _response = response;
        Endpoint = endpoint;
        _token = token;
        _owner = owner;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(owner);
        _lastActivity = Environment.TickCount64;
    }

    public Uri Endpoint { get; }

    public static async Task<EtcdGatewayWatchStream> OpenAsync(EtcdGatewayConnection connection, EtcdEndpoints endpoints, EtcdWatchCreate create, EtcdStoreSettings settings, ILogger logger, CancellationToken cancellationToken)
    {
        var body = EtcdGatewayCodec.WatchCreate(create.Key, create.End, create.StartRevision);
        var (response, endpoint, token) = await connection.OpenStreamAsync("/v3/watch", body, cancellationToken).ConfigureAwait(false);
        var stream = new EtcdGatewayWatchStream(connection, endpoints, response, endpoint, token, cancellationToken);
        var what = System.Text.Encoding.UTF8.GetString(create.Key);
        stream._watchdog = EtcdStreamWatchdog.RunAsync(() => Volatile.Read(ref stream._lastActivity), endpoint, connection.ProbeAsync, settings, logger, () => what, stream._cts);
        return stream;
    }

    public async ValueTask<EtcdWatchResponse?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_framer.TryReadObject(out var json))
            {
                return EtcdGatewayCodec.ReadWatch(json.Span);
            }

            int n;
            try
            {
                _stream ??= await _response.Content.ReadAsStreamAsync(_cts.Token).ConfigureAwait(false);
                n = await _stream.ReadAsync(_framer.GetWriteMemory(), _cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!_owner.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                _endpoints.MarkFailed(Endpoint);
                throw new KvStoreUnavailableException($"{_connection.Name}: the watch stream on {Endpoint} stalled.");
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException)
            {
                _endpoints.MarkFailed(Endpoint);
                throw;
            }

            if (n == 0)
            {
                _endpoints.MarkFailed(Endpoint);
                return null;
            }

            _framer.Advance(n);
            Volatile.Write(ref _lastActivity, Environment.TickCount64);
        }
    }

    public void TokenRefused(string reason) => _connection.InvalidateToken(_token, "the watch", reason);

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync().ConfigureAwait(false);
        await _watchdog.ConfigureAwait(false);
        _response.Dispose();
        _cts.Dispose();
    }
}

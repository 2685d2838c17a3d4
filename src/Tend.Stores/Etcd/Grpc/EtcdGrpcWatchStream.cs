using System.Threading.Channels;
using Tend.Core.Kv;

namespace Tend.Stores.Etcd.Grpc;

/// <summary>
/// One watch id on a shared <see cref="EtcdGrpcWatchCall"/>: the answers routed to it (fragments joined into
/// one message) wait in a queue of its own, so a slow reader never holds up the other watches of the stream.
/// </summary>
internal sealed class EtcdGrpcWatchStream : IEtcdWatchStream
{
    private readonly EtcdGrpcWatchCall _call;
    private readonly Channel<EtcdWatchResponse> _messages = Channel.CreateUnbounded<EtcdWatchResponse>(new UnboundedChannelOptions { SingleReader = true });
    private EtcdWatchResponse? _partial;
    private Exception? _failure;
    private volatile bool _endedOnServer;

    public EtcdGrpcWatchStream(EtcdGrpcWatchCall call, long id)
    {
        _call = call;
        Id = id;
        ServerId = id;
    }

    /// <summary>The watch id asked for in the create request.</summary>
    public long Id { get; }

    /// <summary>The watch id the server answers with (the one asked for, on etcd 3.4 and later).</summary>
    public long ServerId { get; set; }

    /// <summary>Disposed before its create was answered.</summary>
    public bool Removed { get; set; }

    public Uri Endpoint => _call.Endpoint;

    public async ValueTask<EtcdWatchResponse?> ReadAsync(CancellationToken cancellationToken)
    {
        if (await _messages.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false) && _messages.Reader.TryRead(out var message))
        {
            return message;
        }

        var failure = Volatile.Read(ref _failure);
        throw failure switch
        {
            KvAuthenticationException auth => new KvAuthenticationException(auth.Message, auth),
            EtcdTokenRefusedException refused => new EtcdTokenRefusedException(refused.Message, refused),
            _ => new KvStoreUnavailableException(failure?.Message ?? "the watch stream ended.", failure),
        };
    }

    public void TokenRefused(string reason) => _call.TokenRefused(reason);

    /// <summary>Called by the stream's reader, one answer at a time.</summary>
    public void Deliver(WatchResponse response)
    {
        _partial = EtcdGrpcCodec.FromWatch(response, _partial);
        if (response.Fragment)
        {
            // More of this revision's events follow in the next answers.
            return;
        }

        if (response.Canceled)
        {
            _endedOnServer = true;
        }

        _messages.Writer.TryWrite(_partial);
        _partial = null;
    }

    /// <summary>The stream broke: the reader gets what was queued, then <paramref name="failure"/>.</summary>
    public void Fail(Exception failure)
    {
        Volatile.Write(ref _failure, failure);
        _messages.Writer.TryComplete();
    }

    public async ValueTask DisposeAsync()
    {
        Fail(new ObjectDisposedException(nameof(EtcdGrpcWatchStream)));
        await _call.RemoveAsync(this, cancelOnServer: !_endedOnServer).ConfigureAwait(false);
    }
}

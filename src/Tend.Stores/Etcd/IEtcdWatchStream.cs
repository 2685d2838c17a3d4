namespace Tend.Stores.Etcd;

/// <summary>One watch as the transport runs it: its own HTTP stream (gateway), or one watch id on a shared gRPC stream.</summary>
internal interface IEtcdWatchStream : IAsyncDisposable
{
    /// <summary>The endpoint the watch runs on.</summary>
    Uri Endpoint { get; }

    /// <summary>
    /// The next message of this watch (fragments already joined); null when the server ended the stream.
    /// Throws <see cref="Tend.Core.Kv.KvStoreUnavailableException"/> when the stream broke or stalled.
    /// </summary>
    ValueTask<EtcdWatchResponse?> ReadAsync(CancellationToken cancellationToken);

    /// <summary>The server refused the token this watch was created with (<paramref name="reason"/>): forget it, so the next watch authenticates again.</summary>
    void TokenRefused(string reason);
}

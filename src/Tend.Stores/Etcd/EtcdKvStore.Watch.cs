using System.Runtime.CompilerServices;
using Tend.Core.Kv;

namespace Tend.Stores.Etcd;

/// <summary>Watches: over gRPC every watch of the store shares one stream; over the gateway each has its own.</summary>
public sealed partial class EtcdKvStore
{
    /// <inheritdoc />
    public async IAsyncEnumerable<KvChangeBatch> WatchAsync(string prefix, long fromRevision, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var p = KeyPath.Normalize(prefix);

        // Disposing the store ends every watch.
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposing.Token);
        await foreach (var batch in new EtcdWatcher(this, p, fromRevision).RunAsync(cts.Token).ConfigureAwait(false))
        {
            yield return batch;
        }
    }
}

using System.Runtime.CompilerServices;
using System.Threading.Channels;
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
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposing.Token);

        // Bounded: a slow reader makes the watcher stop reading the stream rather than buffer without end.
        var channel = Channel.CreateBounded<KvChangeBatch>(new BoundedChannelOptions(256) { SingleReader = true, SingleWriter = true });
        var watcher = new EtcdWatcher(this, p, fromRevision, channel.Writer);
        var pump = Task.Run(() => watcher.RunAsync(cts.Token), CancellationToken.None);
        try
        {
            await foreach (var batch in channel.Reader.ReadAllAsync(cts.Token).ConfigureAwait(false))
            {
                yield return batch;
            }
        }
        finally
        {
            await cts.CancelAsync().ConfigureAwait(false);
            await pump.ConfigureAwait(false);
        }
    }
}

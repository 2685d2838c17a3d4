using Tend.Core.Kv;
using Tend.Core.Retry;

namespace Tend.Stores;

/// <summary>
/// The watch an ephemeral registration (etcd's lease, Consul's session) keeps on its own key, so a
/// delete by another client or by the lease's expiry is noticed at once, not at the next renewal.
/// Each delete raises <see cref="DeletedAt"/> and releases <see cref="Lost"/>, which the
/// registration's keeper waits on; a failed watch is retried with the store's backoff, resuming
/// after the revision the key was last written at.
/// </summary>
internal sealed class RegistrationDeleteWatch(IKvStore store, string key, IRetryPolicy backoff, Func<long> writtenAt, Func<bool> closed, Action<string> retry) : IDisposable
{
    private long _deletedAt;

    /// <summary>Released once per delete seen.</summary>
    public SemaphoreSlim Lost { get; } = new(0, int.MaxValue);

    /// <summary>The newest revision at which the key was seen deleted (0: never).</summary>
    public long DeletedAt => Interlocked.Read(ref _deletedAt);

    /// <summary>Watches until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        int failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                long from = writtenAt() + 1;
                await foreach (var batch in store.WatchAsync(key, from, cancellationToken).ConfigureAwait(false))
                {
                    failures = 0;
                    var last = batch.Changes.LastOrDefault(c => c.Key == key);
                    bool gone = batch.IsResync ? batch.Resync!.Get(key) is null : last?.Kind == KvChangeKind.Delete;
                    if (gone && !closed())
                    {
                        RaiseDeletedAt(batch.Revision);
                        Lost.Release();
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is KvStoreException or OperationCanceledException)
            {
                failures++;
                retry("watch: " + ex.Message);
                try
                {
                    await Task.Delay(backoff.NextDelay(failures), cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    public void Dispose() => Lost.Dispose();

    private void RaiseDeletedAt(long revision)
    {
        long seen;
        while ((seen = Interlocked.Read(ref _deletedAt)) < revision && Interlocked.CompareExchange(ref _deletedAt, revision, seen) != seen)
        {
        }
    }
}

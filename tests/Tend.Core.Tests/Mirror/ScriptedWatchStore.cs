using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Tend.Core.Kv;
using Tend.Stores.Memory;

namespace Tend.Core.Tests.Mirror;

/// <summary>
/// A memory store whose watches can be held back per prefix (a watch that has not delivered a transaction
/// yet, while another prefix's watch has), whose health can be set (an outage the watches ride out by
/// themselves), and which counts catch-ups.
/// </summary>
internal sealed class ScriptedWatchStore(MemoryKvStore inner) : IKvStore
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _held = new(StringComparer.Ordinal);
    private int _catchUps;

    public MemoryKvStore Inner { get; } = inner;

    public string Name => "scripted";

    public KvStoreCapabilities Capabilities => KvStoreCapabilities.All;

    public KvStoreHealth Health { get; set; } = KvStoreHealth.Local;

    public int CatchUps => Volatile.Read(ref _catchUps);

    /// <summary>Called after each listing of a prefix, before it is returned (to slip a write in between two listings).</summary>
    public Func<string, Task>? AfterList { get; set; }

    /// <summary>Batches of watches on <paramref name="prefix"/> wait until <see cref="Release"/>.</summary>
    public void Hold(string prefix) => _held[prefix] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release(string prefix)
    {
        if (_held.TryRemove(prefix, out var gate))
        {
            gate.TrySetResult();
        }
    }

    public Task<KvPair?> GetAsync(string key, CancellationToken cancellationToken = default) => Inner.GetAsync(key, cancellationToken);

    public async Task<KvSnapshot> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var snapshot = await Inner.ListAsync(prefix, cancellationToken);
        if (AfterList is { } after)
        {
            await after(prefix);
        }

        return snapshot;
    }

    public async IAsyncEnumerable<KvChangeBatch> WatchAsync(string prefix, long fromRevision, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var batch in Inner.WatchAsync(prefix, fromRevision, cancellationToken))
        {
            if (_held.TryGetValue(prefix, out var gate))
            {
                await gate.Task.WaitAsync(cancellationToken);
            }

            yield return batch;
        }
    }

    /// <summary>Awaited by each catch-up before it asks the inner store (to hold one in flight).</summary>
    public Func<Task>? BeforeCatchUp { get; set; }

    public async Task<KvChangeBatch> CatchUpAsync(KvSnapshot known, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _catchUps);
        if (BeforeCatchUp is { } before)
        {
            await before();
        }

        return Health.IsUnreachable
            ? throw new KvStoreUnavailableException("scripted: unreachable")
            : await KvCatchUp.ByListingAsync(Inner, known, cancellationToken);
    }

    public Task<long> PutAsync(string key, string value, CancellationToken cancellationToken = default) => Inner.PutAsync(key, value, cancellationToken);

    public Task<long> DeleteAsync(string key, bool prefix = false, CancellationToken cancellationToken = default) => Inner.DeleteAsync(key, prefix, cancellationToken);

    public Task<KvTransactionResult> CommitAsync(KvTransaction transaction, CancellationToken cancellationToken = default) => Inner.CommitAsync(transaction, cancellationToken);

    public Task<IKvRegistration> RegisterAsync(string key, string value, TimeSpan ttl, CancellationToken cancellationToken = default) => Inner.RegisterAsync(key, value, ttl, cancellationToken);

    public ValueTask DisposeAsync() => Inner.DisposeAsync();
}

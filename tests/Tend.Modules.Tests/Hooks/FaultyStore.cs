using Tend.Core.Kv;

namespace Tend.Modules.Tests.Hooks;

/// <summary>A store that passes everything through, except that chosen commits fail (as a store outage would) or run code first.</summary>
internal sealed class FaultyStore(IKvStore inner) : IKvStore
{
    private int _commits;

    /// <summary>1-based numbers of the commits that throw <see cref="KvStoreUnavailableException"/> without reaching the store.</summary>
    public HashSet<int> FailCommits { get; } = [];

    /// <summary>Runs before each commit with its 1-based number (to interleave another writer).</summary>
    public Func<int, Task>? BeforeCommit { get; set; }

    public int Commits => _commits;

    public string Name => inner.Name;

    public KvStoreCapabilities Capabilities => inner.Capabilities;

    public int MaxTransactionOperations => inner.MaxTransactionOperations;

    public Task<KvPair?> GetAsync(string key, CancellationToken cancellationToken = default) => inner.GetAsync(key, cancellationToken);

    public Task<KvSnapshot> ListAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);

    public IAsyncEnumerable<KvChangeBatch> WatchAsync(string prefix, long fromRevision, CancellationToken cancellationToken = default) =>
        inner.WatchAsync(prefix, fromRevision, cancellationToken);

    public Task<long> PutAsync(string key, string value, CancellationToken cancellationToken = default) => inner.PutAsync(key, value, cancellationToken);

    public Task<long> DeleteAsync(string key, bool prefix = false, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, prefix, cancellationToken);

    public async Task<KvTransactionResult> CommitAsync(KvTransaction transaction, CancellationToken cancellationToken = default)
    {
        int n = Interlocked.Increment(ref _commits);
        if (BeforeCommit is { } before)
        {
            await before(n);
        }

        if (FailCommits.Contains(n))
        {
            throw new KvStoreUnavailableException($"{Name}: injected outage at commit {n}");
        }

        return await inner.CommitAsync(transaction, cancellationToken);
    }

    public Task<IKvRegistration> RegisterAsync(string key, string value, TimeSpan ttl, CancellationToken cancellationToken = default) =>
        inner.RegisterAsync(key, value, ttl, cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}

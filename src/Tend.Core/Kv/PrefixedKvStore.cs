using System.Runtime.CompilerServices;

namespace Tend.Core.Kv;

/// <summary>
/// Applies the global <c>[store] prefix</c>: callers use keys as if the prefix were the root, the
/// inner store sees them below the prefix (<c>/app/x</c> with prefix <c>/prod</c> is <c>/prod/app/x</c>).
/// Joining, not replacing, is deliberate: a resource's own prefix is joined below this one.
/// </summary>
public sealed class PrefixedKvStore : IKvStore
{
    private readonly IKvStore _inner;

    /// <summary>Wraps <paramref name="inner"/> so every key lives below <paramref name="prefix"/>.</summary>
    public PrefixedKvStore(IKvStore inner, string prefix)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        Prefix = KeyPath.Normalize(prefix);
    }

    /// <summary>The prefix prepended to every key.</summary>
    public string Prefix { get; }

    /// <summary>The wrapped store.</summary>
    public IKvStore Inner => _inner;

    /// <inheritdoc />
    public string Name => $"{_inner.Name}{Prefix}";

    /// <inheritdoc />
    public KvStoreCapabilities Capabilities => _inner.Capabilities;

    /// <inheritdoc />
    public KvStoreHealth Health => _inner.Health;

    /// <inheritdoc />
    public int MaxTransactionOperations => _inner.MaxTransactionOperations;

    /// <inheritdoc />
    public KvSkippedKeys? SkippedKeys => _inner.SkippedKeys;

    /// <inheritdoc />
    public async Task<KvPair?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        var pair = await _inner.GetAsync(Out(key), cancellationToken).ConfigureAwait(false);
        return pair is null ? null : pair with { Key = In(pair.Key) };
    }

    /// <inheritdoc />
    public async Task<KvSnapshot> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var snapshot = await _inner.ListAsync(Out(prefix), cancellationToken).ConfigureAwait(false);
        return Unwrap(snapshot, prefix);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<KvChangeBatch> WatchAsync(string prefix, long fromRevision, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var batch in _inner.WatchAsync(Out(prefix), fromRevision, cancellationToken).ConfigureAwait(false))
        {
            if (batch.IsResync)
            {
                yield return KvChangeBatch.FromResync(Unwrap(batch.Resync!, prefix));
            }
            else if (batch.IsProgress)
            {
                yield return batch;
            }
            else
            {
                var changes = batch.Changes.Select(c => c with { Key = In(c.Key) }).ToList();
                yield return KvChangeBatch.FromChanges(changes, batch.Revision);
            }
        }
    }

    /// <inheritdoc />
    public async Task<KvChangeBatch> CatchUpAsync(KvSnapshot known, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(known);
        var outer = KvSnapshot.Create(Out(known.Prefix), known.Revision, known.Select(p => p with { Key = Out(p.Key) }));
        var batch = await _inner.CatchUpAsync(outer, cancellationToken).ConfigureAwait(false);
        return batch.IsResync ? KvChangeBatch.FromResync(Unwrap(batch.Resync!, known.Prefix)) : batch;
    }

    /// <inheritdoc />
    public Task<long> PutAsync(string key, string value, CancellationToken cancellationToken = default) =>
        _inner.PutAsync(Out(key), value, cancellationToken);

    /// <inheritdoc />
    public Task<long> DeleteAsync(string key, bool prefix = false, CancellationToken cancellationToken = default) =>
        _inner.DeleteAsync(Out(key), prefix, cancellationToken);

    /// <inheritdoc />
    public Task<KvTransactionResult> CommitAsync(KvTransaction transaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var mapped = new KvTransaction(
            transaction.Compares.Select(c => c with { Key = Out(c.Key) }).ToList(),
            transaction.Operations.Select(o => o with { Key = Out(o.Key) }).ToList());
        return _inner.CommitAsync(mapped, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IKvRegistration> RegisterAsync(string key, string value, TimeSpan ttl, CancellationToken cancellationToken = default) =>
        _inner.RegisterAsync(Out(key), value, ttl, cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _inner.DisposeAsync();

    private string Out(string key) => KeyPath.Join(Prefix, key);

    private string In(string key) => KeyPath.Relative(key, Prefix);

    private KvSnapshot Unwrap(KvSnapshot snapshot, string prefix) =>
        KvSnapshot.Create(KeyPath.Normalize(prefix), snapshot.Revision, snapshot.Select(p => p with { Key = In(p.Key) }));
}

using Tend.Core.Kv;

namespace Tend.Stores.Memory;

/// <summary>
/// An in-process store with etcd-like semantics: one global revision, a change history (so
/// watches resume from any revision still held), transactions and ephemeral registrations.
/// Used by tests, by <c>--store memory</c>, and as the reference implementation of the contract.
/// </summary>
public sealed class MemoryKvStore : IKvStore
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, Entry> _data = new(StringComparer.Ordinal);
    private readonly ChangeFeed _feed;
    private readonly List<Registration> _registrations = [];
    private long _revision;

    /// <summary>Creates a store that keeps up to <paramref name="historyLimit"/> changes for resuming watches.</summary>
    /// <param name="historyLimit">How many changes are kept for resuming watches.</param>
    /// <param name="maxTransactionOperations">The most compares plus operations a transaction may carry (as etcd's <c>--max-txn-ops</c>); larger ones are refused.</param>
    public MemoryKvStore(int historyLimit = 100_000, int maxTransactionOperations = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTransactionOperations, 1);
        _feed = new ChangeFeed(_gate, historyLimit);
        MaxTransactionOperations = maxTransactionOperations;
    }

    /// <inheritdoc />
    public string Name => "memory";

    /// <inheritdoc />
    public KvStoreCapabilities Capabilities => KvStoreCapabilities.All;

    /// <inheritdoc />
    public int MaxTransactionOperations { get; }

    /// <summary>The current revision.</summary>
    public long Revision
    {
        get
        {
            lock (_gate)
            {
                return _revision;
            }
        }
    }

    /// <inheritdoc />
    public Task<KvPair?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        var k = KeyPath.Normalize(key);
        lock (_gate)
        {
            return Task.FromResult(_data.TryGetValue(k, out var e) ? new KvPair(k, e.Value, e.ModRevision) : null);
        }
    }

    /// <inheritdoc />
    public Task<KvSnapshot> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var p = KeyPath.Normalize(prefix);
        lock (_gate)
        {
            return Task.FromResult(Snapshot(p));
        }
    }

    /// <inheritdoc />
    public IAsyncEnumerable<KvChangeBatch> WatchAsync(string prefix, long fromRevision, CancellationToken cancellationToken = default)
    {
        var p = KeyPath.Normalize(prefix);
        return _feed.WatchAsync(p, fromRevision, () => (_revision, () => Snapshot(p)), cancellationToken);
    }

    /// <inheritdoc />
    public Task<long> PutAsync(string key, string value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        var result = Commit([], [KvOperation.Put(KeyPath.Normalize(key), value)]);
        return Task.FromResult(result.Revision);
    }

    /// <inheritdoc />
    public Task<long> DeleteAsync(string key, bool prefix = false, CancellationToken cancellationToken = default)
    {
        var k = KeyPath.Normalize(key);
        lock (_gate)
        {
            long count = prefix ? _data.Keys.Count(x => KeyPath.IsUnder(x, k)) : (_data.ContainsKey(k) ? 1 : 0);
            Commit([], [prefix ? KvOperation.DeletePrefix(k) : KvOperation.Delete(k)]);
            return Task.FromResult(count);
        }
    }

    /// <inheritdoc />
    public Task<KvTransactionResult> CommitAsync(KvTransaction transaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        if (transaction.Compares.Count + transaction.Operations.Count > MaxTransactionOperations)
        {
            throw new KvStoreException(
                $"{Name}: the transaction has {transaction.Compares.Count} compares and {transaction.Operations.Count} operations, more than the {MaxTransactionOperations} allowed; nothing was applied.");
        }

        return Task.FromResult(Commit(transaction.Compares, transaction.Operations));
    }

    /// <inheritdoc />
    public Task<IKvRegistration> RegisterAsync(string key, string value, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        var registration = new Registration(this, KeyPath.Normalize(key), value);
        lock (_gate)
        {
            _registrations.Add(registration);
            Commit([], [KvOperation.Put(registration.Key, value)]);
        }

        return Task.FromResult<IKvRegistration>(registration);
    }

    /// <summary>
    /// Simulates the loss of every lease/session: ephemeral entries are deleted (watchers see the
    /// deletes), then re-created by their registrations, as a real store's keeper would.
    /// </summary>
    internal void ExpireRegistrations()
    {
        lock (_gate)
        {
            var live = _registrations.Where(r => r.State != KvRegistrationState.Closed).ToList();
            foreach (var r in live)
            {
                r.State = KvRegistrationState.Recovering;
            }

            // The deletes are seen by watchers; Commit then re-creates each entry as its keeper would.
            Commit([], live.Select(r => KvOperation.Delete(r.Key)).ToList());
        }
    }

    /// <summary>Drops history before <paramref name="revision"/>: watches resuming from earlier get a resync (like etcd compaction).</summary>
    internal void Compact(long revision)
    {
        lock (_gate)
        {
            _feed.Forget(revision);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _feed.Complete();
        }

        return ValueTask.CompletedTask;
    }

    private KvSnapshot Snapshot(string prefix) =>
        KvSnapshot.Create(prefix, _revision, _data.Where(kv => KeyPath.IsUnder(kv.Key, prefix)).Select(kv => new KvPair(kv.Key, kv.Value.Value, kv.Value.ModRevision)));

    private KvTransactionResult Commit(IReadOnlyList<KvCompare> compares, IReadOnlyList<KvOperation> operations)
    {
        lock (_gate)
        {
            foreach (var c in compares)
            {
                var key = KeyPath.Normalize(c.Key);
                bool ok = _data.TryGetValue(key, out var e)
                    ? c.Evaluate(e.Value, e.Version, e.CreateRevision, e.ModRevision)
                    : c.Evaluate(null, 0, 0, 0);
                if (!ok)
                {
                    return new KvTransactionResult(false, _revision);
                }
            }

            long rev = _revision + 1;
            var changes = new List<KvChange>();
            foreach (var op in operations)
            {
                var key = KeyPath.Normalize(op.Key);
                switch (op.Kind)
                {
                    case KvOperationKind.Put:
                        ArgumentNullException.ThrowIfNull(op.Value);
                        var existed = _data.TryGetValue(key, out var old);
                        _data[key] = new Entry(op.Value, existed ? old!.Version + 1 : 1, existed ? old!.CreateRevision : rev, rev);
                        changes.Add(KvChange.Put(key, op.Value, rev, existed ? old!.Value : null));
                        break;
                    case KvOperationKind.Delete:
                        if (_data.Remove(key, out var gone))
                        {
                            changes.Add(KvChange.Delete(key, rev, gone.Value));
                        }

                        break;
                    default:
                        foreach (var k in _data.Keys.Where(x => KeyPath.IsUnder(x, key)).ToList())
                        {
                            _data.Remove(k, out var g);
                            changes.Add(KvChange.Delete(k, rev, g!.Value));
                        }

                        break;
                }
            }

            if (changes.Count == 0)
            {
                return new KvTransactionResult(true, _revision);
            }

            _revision = rev;
            _feed.Append(changes, rev);

            // An ephemeral entry deleted by anyone but its owner comes back at once, as after a session loss.
            var lost = _registrations.Where(r => r.State != KvRegistrationState.Closed && !_data.ContainsKey(r.Key)).ToList();
            if (lost.Count > 0)
            {
                Commit([], lost.Select(r => KvOperation.Put(r.Key, r.Value)).ToList());
                foreach (var r in lost)
                {
                    r.State = KvRegistrationState.Registered;
                }
            }

            return new KvTransactionResult(true, rev);
        }
    }

    private void Unregister(Registration registration)
    {
        lock (_gate)
        {
            _registrations.Remove(registration);
            if (_data.TryGetValue(registration.Key, out var e) && e.Value == registration.Value)
            {
                Commit([], [KvOperation.Delete(registration.Key)]);
            }
        }
    }

    private sealed record Entry(string Value, long Version, long CreateRevision, long ModRevision);

    private sealed class Registration(MemoryKvStore store, string key, string value) : IKvRegistration
    {
        public string Key { get; } = key;

        public string Value { get; } = value;

        public KvRegistrationState State { get; set; } = KvRegistrationState.Registered;

        public ValueTask DisposeAsync()
        {
            if (State != KvRegistrationState.Closed)
            {
                State = KvRegistrationState.Closed;
                store.Unregister(this);
            }

            return ValueTask.CompletedTask;
        }
    }
}

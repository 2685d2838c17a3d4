namespace Tend.Core.Kv;

/// <summary>
/// A discovery store (etcd v3, ZooKeeper, Consul, files, memory) as Tend sees it. Keys are
/// normalised absolute paths (<see cref="KeyPath"/>); each implementation maps them to its native
/// form. Prefixes have path semantics. Every method is thread-safe.
/// </summary>
/// <remarks>
/// Revisions are the store's own ordering (etcd revision, ZooKeeper zxid, Consul index, a file-store
/// generation counter): they only grow, and a change carries the revision at which it happened.
/// </remarks>
public interface IKvStore : IAsyncDisposable
{
    /// <summary>A short name for logs and errors, e.g. <c>etcd(http://127.0.0.1:2379)</c>.</summary>
    string Name { get; }

    /// <summary>What this store can do.</summary>
    KvStoreCapabilities Capabilities { get; }

    /// <summary>
    /// Whether the store can reach its server, since when, and its last connection error. Watches reconnect
    /// by themselves, so this is where an outage shows; stores without a server are always connected.
    /// </summary>
    KvStoreHealth Health => KvStoreHealth.Local;

    /// <summary>
    /// The most compares plus operations one <see cref="CommitAsync"/> may carry; the server refuses a
    /// larger transaction (etcd's <c>--max-txn-ops</c>, 128 by default; a ZooKeeper multi is bounded by
    /// its request size). Callers that write more split the work themselves, since only they know how
    /// to keep it consistent. <see cref="int.MaxValue"/> when the store sets no bound.
    /// </summary>
    int MaxTransactionOperations => int.MaxValue;

    /// <summary>
    /// Keys the store holds that are not normalised paths and were therefore skipped (reported, never
    /// silently dropped); <c>null</c> for a store that cannot hold such keys (the memory store
    /// normalises every write, ZooKeeper's server refuses such paths).
    /// </summary>
    KvSkippedKeys? SkippedKeys => null;

    /// <summary>Reads one key; <c>null</c> when it does not exist.</summary>
    /// <exception cref="KvStoreUnavailableException">The store could not be reached.</exception>
    Task<KvPair?> GetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Reads every key at or below <paramref name="prefix"/>, with the revision the read reflects.</summary>
    /// <exception cref="KvStoreUnavailableException">The store could not be reached.</exception>
    Task<KvSnapshot> ListAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>
    /// Watches <paramref name="prefix"/>. Yields every change with a revision of at least
    /// <paramref name="fromRevision"/>, in revision order, with no gap and no duplicate; 0 means
    /// "from now". When the store cannot serve history back to <paramref name="fromRevision"/>, the
    /// first batch is a resync carrying a fresh snapshot, and changes continue after it. The store
    /// may also yield progress notifications (empty batches with a newer revision).
    /// </summary>
    /// <remarks>
    /// The usual pattern: <c>var s = await ListAsync(p)</c>, then <c>WatchAsync(p, s.Revision + 1)</c>.
    /// Implementations reconnect by themselves where they can; when the enumeration throws
    /// (<see cref="KvStoreUnavailableException"/>), the caller resumes with the last revision seen + 1,
    /// which is what <see cref="Mirror.KvMirror"/> does. Ends only when cancelled.
    /// </remarks>
    IAsyncEnumerable<KvChangeBatch> WatchAsync(string prefix, long fromRevision, CancellationToken cancellationToken = default);

    /// <summary>
    /// Brings a watcher of <c>known.Prefix</c> that holds <paramref name="known"/> up to the store's current
    /// revision, for a reader that needs several prefixes at one revision: a quiet prefix's watch carries no
    /// newer revision, and watches of different prefixes deliver one transaction at different moments.
    /// Returns a progress notification when nothing under the prefix changed after <c>known.Revision</c>,
    /// else a resync; either way at the revision the answer holds at, which is the store's revision when
    /// the call was made or later (a replica that lags may answer with less: callers that need a revision
    /// ask again). Changes a watch delivers later at or below that revision are covered by it.
    /// </summary>
    /// <remarks>The default lists the prefix and compares; stores with a cheaper proof override it.</remarks>
    /// <exception cref="KvStoreUnavailableException">The store could not be reached.</exception>
    Task<KvChangeBatch> CatchUpAsync(KvSnapshot known, CancellationToken cancellationToken = default) =>
        KvCatchUp.ByListingAsync(this, known, cancellationToken);

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/>; returns the revision of the write.</summary>
    /// <exception cref="KvNotSupportedException">The store is read-only.</exception>
    Task<long> PutAsync(string key, string value, CancellationToken cancellationToken = default);

    /// <summary>Deletes one key, or with <paramref name="prefix"/> the key and everything below it; returns how many keys were removed.</summary>
    /// <exception cref="KvNotSupportedException">The store is read-only.</exception>
    Task<long> DeleteAsync(string key, bool prefix = false, CancellationToken cancellationToken = default);

    /// <summary>Applies <paramref name="transaction"/> atomically: all operations when every compare holds, else none.</summary>
    /// <exception cref="KvNotSupportedException">The store has no transactions.</exception>
    /// <exception cref="KvStoreException">The server refused the transaction (e.g. too many operations); nothing was applied.</exception>
    Task<KvTransactionResult> CommitAsync(KvTransaction transaction, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates an ephemeral entry and keeps it alive until the handle is disposed: an etcd key on a
    /// kept-alive lease with <paramref name="ttl"/>, a ZooKeeper ephemeral node (the session timeout
    /// plays the TTL), a Consul key bound to a session. The store re-creates it after the lease or
    /// session was lost, or someone deleted it. Returns once the entry exists.
    /// </summary>
    /// <exception cref="KvNotSupportedException">The store has no ephemeral entries.</exception>
    Task<IKvRegistration> RegisterAsync(string key, string value, TimeSpan ttl, CancellationToken cancellationToken = default);
}

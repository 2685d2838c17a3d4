using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tend.Core.Kv;
using Tend.Stores.ZooKeeper.Connection;
using Tend.Stores.ZooKeeper.Kv;
using Tend.Stores.ZooKeeper.Protocol;

namespace Tend.Stores.ZooKeeper;

/// <summary>
/// <see cref="IKvStore"/> over ZooKeeper: a key is a znode path, its value the node's data (UTF-8),
/// revisions are zxids. Connects lazily on first use.
/// </summary>
/// <remarks>
/// <para><b>Which nodes are keys.</b> ZooKeeper needs every ancestor of a node to exist, and a node
/// may hold data and children at once. A node is listed when it holds data <em>or</em> has no
/// children: the empty parents a put creates stay invisible, a leaf put with an empty value is a
/// key, and so is an empty parent whose last child went away. Deleting a key that has children
/// empties its data (it becomes an invisible parent) instead of failing.</para>
/// <para><b>Watches.</b> The first list or watch of a prefix installs a persistent recursive watch
/// (ZooKeeper 3.6+) and a journal of the changes seen since, which is how a watch from an older
/// revision is replayed: ZooKeeper itself keeps no history. When the journal cannot prove it holds
/// every change since the requested revision (a session expiry, a reconnect whose re-walk does not
/// add up), the watch starts with a resync.</para>
/// <para><b>Transactions.</b> Compares are evaluated on a fresh read; the multi then carries a
/// <c>check</c> of each compared node's version (or a create+delete that proves it is still
/// missing), so a concurrent change fails the multi and the compares are evaluated again.</para>
/// </remarks>
public sealed class ZooKeeperKvStore : IKvStore
{
    private const int MaxMultiOperations = 1000;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly List<(string Prefix, Task<PrefixTracker> Tracker)> _trackers = [];
    private readonly List<ZooKeeperRegistration> _registrations = [];
    private readonly CancellationTokenSource _disposing = new();
    private readonly ConnectionHealth _health = new();
    private bool _disposed;

    public ZooKeeperKvStore(KvStoreOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var factory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = factory.CreateLogger<ZooKeeperKvStore>();
        MaxTransactionOperations = options.MaxTransactionOperations ?? MaxMultiOperations;
        var connectString = JoinEndpoints(options.Endpoints);
        Name = $"zookeeper({connectString})";
        Client = new ZooKeeperClient(
            new ZooKeeperClientOptions
            {
                ConnectString = connectString,
                SessionTimeout = options.SessionTimeout,
                RequestTimeout = options.RequestTimeout,
                Username = options.Username,
                Password = options.Password,
            },
            factory.CreateLogger<ZooKeeperClient>());
        Client.StateChanged += OnSessionState;
        Client.ConnectFailed += reason => _health.Failed($"{Name}: {reason}");
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public KvStoreCapabilities Capabilities => KvStoreCapabilities.All;

    /// <inheritdoc />
    public KvStoreHealth Health => _health.Current;

    /// <inheritdoc />
    /// <remarks>
    /// A multi has no count limit of its own; it is one request, bounded by the server's
    /// <c>jute.maxbuffer</c> (1 MiB by default). 1000 host-sized writes stay well within it.
    /// </remarks>
    public int MaxTransactionOperations { get; }

    internal ZooKeeperClient Client { get; }

    /// <summary>Watch with one-shot watches even on servers with persistent ones (tests of the pre-3.6 fallback).</summary>
    internal bool ForceOneShotWatches { get; init; }

    /// <inheritdoc />
    public Task<KvPair?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        var k = KeyPath.Normalize(key);
        return Call(async () =>
        {
            var reply = await Client.GetDataReplyAsync(k, null, cancellationToken).ConfigureAwait(false);
            if (reply.Error == ZooKeeperErrorCode.NoNode)
            {
                return null;
            }

            var d = reply.GetValueOrThrow(k);
            return NodeRead.IsVisible(d.Data.Length, d.Stat.NumChildren) ? new KvPair(k, Encoding.UTF8.GetString(d.Data), d.Stat.Mzxid) : null;
        });
    }

    /// <inheritdoc />
    public Task<KvSnapshot> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var p = KeyPath.Normalize(prefix);
        return Call(async () =>
        {
            var tracker = await GetTrackerAsync(p, cancellationToken).ConfigureAwait(false);
            if (!tracker.UsesOneShotWatches)
            {
                // The tracker's copy of the tree, once it has applied every change up to the server's zxid:
                // exact at the snapshot's revision, where a walk is not (it reads level after level while
                // the tree changes, so one multi could be half in it). A watch from the revision + 1 is
                // served from the tracker's journal.
                return await TrackedSnapshotAsync(tracker, p, cancellationToken).ConfigureAwait(false);
            }

            // The tracker's journal starts before this walk, so a watch from the snapshot's revision + 1 is served exactly.
            var walk = await TreeWalk.RunAsync(Client, p, sendNow: false, cancellationToken).ConfigureAwait(false);
            return KvSnapshot.Create(p, walk.StartZxid, walk.Nodes.Values.Where(n => n.Visible).Select(n => new KvPair(n.Path, n.Value, n.Stat.Mzxid)));
        });
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<KvChangeBatch> WatchAsync(string prefix, long fromRevision, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var p = KeyPath.Normalize(prefix);
        var tracker = await Call(() => GetTrackerAsync(p, cancellationToken)).ConfigureAwait(false);
        var subscriber = tracker.Subscribe(p, fromRevision);
        try
        {
            await foreach (var batch in subscriber.Channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return batch;
            }
        }
        finally
        {
            tracker.Unsubscribe(subscriber);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// No listing: the prefix's tracker answers from its own copy of the tree, once every notification up to
    /// the server's current zxid is applied (one round trip; see <see cref="ListAsync"/>).
    /// </remarks>
    public Task<KvChangeBatch> CatchUpAsync(KvSnapshot known, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(known);
        return Call(async () =>
        {
            var tracker = await GetTrackerAsync(known.Prefix, cancellationToken).ConfigureAwait(false);
            if (tracker.UsesOneShotWatches)
            {
                return await KvCatchUp.ByListingAsync(this, known, cancellationToken).ConfigureAwait(false);
            }

            var now = await TrackedSnapshotAsync(tracker, known.Prefix, cancellationToken).ConfigureAwait(false);

            // A key a watcher learnt from a notification may carry another revision than its node's mzxid
            // (a delete, an unlisting carry the zxid of the read that saw them): compare what the keys hold.
            return KvCatchUp.Compare(known, now, compareRevisions: false);
        });
    }

    /// <inheritdoc />
    public Task<long> PutAsync(string key, string value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        var k = KeyPath.Normalize(key);
        var data = Encoding.UTF8.GetBytes(value);
        return Call(async () =>
        {
            for (int attempt = 0; ; attempt++)
            {
                var set = await Client.SendAsync(new SetDataRequest(Client.ToServerPath(k), data, -1), StatResponse.Read, cancellationToken).ConfigureAwait(false);
                if (set.Error != ZooKeeperErrorCode.NoNode)
                {
                    return set.GetValueOrThrow(k).Mzxid;
                }

                var created = await Client.CreateReplyAsync(k, data, CreateMode.Persistent, null, createParents: true, cancellationToken).ConfigureAwait(false);
                if (created.Error != ZooKeeperErrorCode.NodeExists || attempt > 3)
                {
                    created.GetValueOrThrow(k);
                    return created.Zxid;
                }
            }
        });
    }

    /// <inheritdoc />
    public Task<long> DeleteAsync(string key, bool prefix = false, CancellationToken cancellationToken = default)
    {
        var k = KeyPath.Normalize(key);
        return Call(() => prefix ? DeletePrefixAsync(k, cancellationToken) : DeleteKeyAsync(k, cancellationToken));
    }

    /// <inheritdoc />
    public Task<KvTransactionResult> CommitAsync(KvTransaction transaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        return Call(async () =>
        {
            for (int attempt = 0; attempt < 8; attempt++)
            {
                var plan = await TransactionPlan.PrepareAsync(Client, transaction, cancellationToken).ConfigureAwait(false);
                if (!plan.ComparesHold)
                {
                    return new KvTransactionResult(false, plan.ReadZxid);
                }

                if (plan.Operations.Count == 0)
                {
                    return new KvTransactionResult(true, plan.ReadZxid);
                }

                var result = await Client.MultiAsync(plan.Operations, cancellationToken).ConfigureAwait(false);
                if (result.Succeeded)
                {
                    return new KvTransactionResult(true, result.Zxid);
                }

                if (result.FirstError is ZooKeeperErrorCode.NoAuth)
                {
                    throw new ZooKeeperException(ZooKeeperErrorCode.NoAuth, transaction.Operations.ElementAtOrDefault(result.FailedIndex)?.Key);
                }

                // Something changed between the read and the multi: read and evaluate again.
            }

            throw new KvStoreException($"{Name}: the transaction kept conflicting with concurrent writes; nothing was applied.");
        }, idempotent: false);
    }

    /// <inheritdoc />
    public Task<IKvRegistration> RegisterAsync(string key, string value, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        var k = KeyPath.Normalize(key);
        return Call<IKvRegistration>(async () =>
        {
            // The session timeout plays the TTL: the node lives as long as the session.
            var registration = new ZooKeeperRegistration(Client, k, value, _logger);
            await registration.StartAsync(cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                _registrations.Add(registration);
            }

            return registration;
        }, idempotent: false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        List<Task<PrefixTracker>> trackers;
        List<ZooKeeperRegistration> registrations;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            trackers = [.. _trackers.Select(t => t.Tracker)];
            registrations = [.. _registrations];
            _trackers.Clear();
            _registrations.Clear();
        }

        await _disposing.CancelAsync().ConfigureAwait(false);
        foreach (var t in trackers)
        {
            if (t.IsCompletedSuccessfully)
            {
                await t.Result.DisposeAsync().ConfigureAwait(false);
            }
        }

        foreach (var r in registrations)
        {
            await r.DisposeAsync().ConfigureAwait(false);
        }

        await Client.DisposeAsync().ConfigureAwait(false);
        _disposing.Dispose();
    }

    /// <summary>
    /// ZooKeeper sends a session's watch notifications before the reply to any request it handles after the
    /// change, and every reply carries the server's last zxid: once an <c>exists</c> reply is in, the
    /// notifications of every change up to its zxid are queued at the tracker.
    /// </summary>
    private async Task<KvSnapshot> TrackedSnapshotAsync(PrefixTracker tracker, string prefix, CancellationToken cancellationToken)
    {
        var reply = await Client.SendAsync(new ExistsRequest(Client.ToServerPath(prefix), false), StatResponse.Read, cancellationToken).ConfigureAwait(false);
        if (reply.Error is not (ZooKeeperErrorCode.Ok or ZooKeeperErrorCode.NoNode))
        {
            throw new ZooKeeperException(reply.Error, prefix);
        }

        return await tracker.SnapshotAsync(prefix, reply.Zxid).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private void OnSessionState(Session.ZooKeeperState state)
    {
        switch (state)
        {
            case Session.ZooKeeperState.Connected:
                _health.Connected();
                break;
            case Session.ZooKeeperState.Disconnected:
                _health.Lost($"{Name}: the connection to the server was lost");
                break;
            case Session.ZooKeeperState.Expired:
                _health.Lost($"{Name}: the session expired");
                break;
            case Session.ZooKeeperState.AuthFailed:
                _health.Failed($"{Name}: the server rejected the credentials");
                break;
        }
    }

    private static string JoinEndpoints(IReadOnlyList<string> endpoints)
    {
        if (endpoints.Count == 0)
        {
            throw new ArgumentException("The ZooKeeper store needs at least one endpoint (host:port[,host:port][/chroot]).", nameof(endpoints));
        }

        var hosts = new List<string>();
        string chroot = string.Empty;
        foreach (var e in endpoints)
        {
            var text = e.Trim();
            int scheme = text.IndexOf("://", StringComparison.Ordinal);
            if (scheme >= 0)
            {
                text = text[(scheme + 3)..];
            }

            int slash = text.IndexOf('/', StringComparison.Ordinal);
            if (slash >= 0)
            {
                chroot = chroot.Length == 0 ? text[slash..] : chroot;
                text = text[..slash];
            }

            hosts.Add(text);
        }

        return string.Join(',', hosts) + chroot;
    }

    private async Task<PrefixTracker> GetTrackerAsync(string prefix, CancellationToken cancellationToken)
    {
        Task<PrefixTracker>? task = null;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            foreach (var (p, t) in _trackers)
            {
                if (KeyPath.IsUnder(prefix, p) && !t.IsFaulted && !t.IsCanceled)
                {
                    task = t;
                    break;
                }
            }

            if (task is null)
            {
                task = StartTrackerAsync(new PrefixTracker(Client, prefix, _logger, ForceOneShotWatches));
                _trackers.Add((prefix, task));
            }
        }

        try
        {
            return await task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch when (task.IsFaulted)
        {
            lock (_gate)
            {
                _trackers.RemoveAll(t => t.Tracker == task);
            }

            throw;
        }
    }

    private async Task<PrefixTracker> StartTrackerAsync(PrefixTracker tracker)
    {
        try
        {
            await tracker.StartAsync(_disposing.Token).ConfigureAwait(false);
            return tracker;
        }
        catch
        {
            await tracker.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<long> DeleteKeyAsync(string key, CancellationToken cancellationToken)
    {
        for (int attempt = 0; attempt < 8; attempt++)
        {
            var reply = await Client.GetDataReplyAsync(key, null, cancellationToken).ConfigureAwait(false);
            if (reply.Error == ZooKeeperErrorCode.NoNode)
            {
                return 0;
            }

            var d = reply.GetValueOrThrow(key);
            if (!NodeRead.IsVisible(d.Data.Length, d.Stat.NumChildren))
            {
                return 0;
            }

            // A key with children cannot be removed in ZooKeeper; emptying it unlists it.
            var result = d.Stat.NumChildren > 0
                ? (await Client.SendAsync(new SetDataRequest(Client.ToServerPath(key), ReadOnlyMemory<byte>.Empty, d.Stat.Version), StatResponse.Read, cancellationToken).ConfigureAwait(false)).Error
                : (await Client.SendAsync(new DeleteRequest(Client.ToServerPath(key), d.Stat.Version), static (ref JuteReader _) => true, cancellationToken).ConfigureAwait(false)).Error;
            switch (result)
            {
                case ZooKeeperErrorCode.Ok:
                    return 1;
                case ZooKeeperErrorCode.NoNode:
                    return 0;
                case ZooKeeperErrorCode.BadVersion:
                case ZooKeeperErrorCode.NotEmpty:
                    continue;
                default:
                    throw new ZooKeeperException(result, key);
            }
        }

        throw new KvStoreException($"{Name}: deleting {key} kept conflicting with concurrent writes.");
    }

    private async Task<long> DeletePrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        for (int attempt = 0; attempt < 8; attempt++)
        {
            var walk = await TreeWalk.RunAsync(Client, prefix, sendNow: false, cancellationToken).ConfigureAwait(false);
            var doomed = walk.Nodes.Values
                .Where(n => n.Path != "/")
                .OrderByDescending(n => n.Path.Count(ch => ch == '/'))
                .ThenBy(n => n.Path, StringComparer.Ordinal)
                .ToList();
            if (doomed.Count == 0)
            {
                return 0;
            }

            long count = doomed.Count(n => n.Visible);
            bool conflict = false;

            // One multi when it fits (atomic); very large subtrees go in chunks, deepest first.
            foreach (var chunk in doomed.Chunk(MaxMultiOperations))
            {
                var result = await Client.MultiAsync([.. chunk.Select(n => ZooKeeperOperation.Delete(n.Path))], cancellationToken).ConfigureAwait(false);
                if (!result.Succeeded)
                {
                    if (result.FirstError is not (ZooKeeperErrorCode.NoNode or ZooKeeperErrorCode.NotEmpty))
                    {
                        throw new ZooKeeperException(result.FirstError, chunk[Math.Max(0, result.FailedIndex)].Path);
                    }

                    conflict = true;
                    break;
                }
            }

            if (!conflict)
            {
                return count;
            }
        }

        throw new KvStoreException($"{Name}: deleting {prefix} kept conflicting with concurrent writes.");
    }

    private async Task<T> Call<T>(Func<Task<T>> action, bool idempotent = true)
    {
        try
        {
            // A lost connection usually means the session is moving to another server: an idempotent
            // operation simply runs again there (within the request timeout); a transaction may have
            // been applied, so its caller has to decide.
            var deadline = Environment.TickCount64 + (long)Client.Options.RequestTimeout.TotalMilliseconds;
            while (true)
            {
                try
                {
                    return await action().ConfigureAwait(false);
                }
                catch (ZooKeeperConnectionLossException) when (idempotent && Environment.TickCount64 < deadline && Client.State is not (Session.ZooKeeperState.Closed or Session.ZooKeeperState.AuthFailed))
                {
                    await Task.Delay(50).ConfigureAwait(false);
                }
            }
        }
        catch (ZooKeeperException ex) when (ex.Code is ZooKeeperErrorCode.NoAuth or ZooKeeperErrorCode.AuthFailed or ZooKeeperErrorCode.InvalidAcl)
        {
            throw new KvAuthenticationException($"{Name}: {(ex.Code == ZooKeeperErrorCode.NoAuth ? "permission denied" : "authentication failed")} ({ex.Message}). Check the store's username and password.", ex);
        }
        catch (ZooKeeperException ex) when (ex.Code is ZooKeeperErrorCode.ConnectionLoss or ZooKeeperErrorCode.OperationTimeout or ZooKeeperErrorCode.SessionExpired or ZooKeeperErrorCode.SessionMoved)
        {
            throw new KvStoreUnavailableException($"{Name}: {ex.Message}", ex);
        }
        catch (ZooKeeperException ex)
        {
            throw new KvStoreException($"{Name}: {ex.Message}", ex);
        }
        catch (ZooKeeperProtocolException ex)
        {
            throw new KvStoreUnavailableException($"{Name}: {ex.Message}", ex);
        }
    }
}

using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tend.Core.Kv;
using Tend.Stores.Dns;
using Tend.Stores.Etcd.Gateway;
using Tend.Stores.Etcd.Grpc;

namespace Tend.Stores.Etcd;

/// <summary>
/// An <see cref="IKvStore"/> on etcd v3, spoken through etcd's native gRPC API (or, as an explicit
/// fallback, its JSON gateway over HTTP/1.1): paged reads pinned to one revision, watches multiplexed on
/// one stream that reconnect and resume without losing or repeating a change (resyncing after a
/// compaction), transactions, lease-backed registrations, user/password auth, TLS, several endpoints
/// with failover and DNS SRV discovery. Connects lazily.
/// </summary>
public sealed partial class EtcdKvStore : IKvStore
{
    private readonly IEtcdTransport _transport;
    private readonly EtcdEndpoints _endpoints;
    private readonly EtcdStoreSettings _settings;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _disposing = new();
    private readonly Lock _registrationsGate = new();
    private readonly List<EtcdRegistration> _registrations = [];
    private int _disposed;

    /// <summary>Creates a store for <paramref name="options"/> (endpoints, SRV, credentials, TLS, transport); nothing is contacted yet.</summary>
    public EtcdKvStore(KvStoreOptions options, ILoggerFactory? loggerFactory = null)
        : this(options, EtcdStoreSettings.Default, loggerFactory)
    {
    }

    /// <summary>Creates a store with etcd-specific <paramref name="settings"/>.</summary>
    public EtcdKvStore(KvStoreOptions options, EtcdStoreSettings settings, ILoggerFactory? loggerFactory = null)
        : this(options, settings, loggerFactory, null)
    {
    }

    /// <summary>Creates a store that discovers SRV endpoints through <paramref name="srvResolver"/> (tests: a local name server).</summary>
    internal EtcdKvStore(KvStoreOptions options, EtcdStoreSettings settings, ILoggerFactory? loggerFactory, SrvResolver? srvResolver)
        : this(options, settings, loggerFactory, srvResolver, null)
    {
    }

    /// <summary>Test seam: a store whose HTTP goes through <paramref name="transport"/>.</summary>
    internal EtcdKvStore(KvStoreOptions options, EtcdStoreSettings settings, ILoggerFactory? loggerFactory, SrvResolver? srvResolver, HttpMessageHandler? transport)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<EtcdKvStore>();
        SkippedKeys = new KvSkippedKeys(_logger);
        Options = options;
        TransportKind = ChooseTransport(options, settings);
        _endpoints = new EtcdEndpoints(options, _logger, srvResolver);
        var handler = transport ?? EtcdHttpHandlers.Create(options, settings, _logger);
        _transport = TransportKind == EtcdTransport.Grpc
            ? new EtcdGrpcTransport(options, settings, _endpoints, _logger, handler)
            : new EtcdGatewayTransport(options, settings, _endpoints, _logger, handler);
    }

    /// <inheritdoc />
    public string Name => _endpoints.Name;

    /// <inheritdoc />
    public KvStoreCapabilities Capabilities => KvStoreCapabilities.All;

    /// <summary>The default of etcd's <c>--max-txn-ops</c>: a txn may hold this many compares, and this many operations per branch.</summary>
    public const int DefaultMaxTransactionOperations = 128;

    /// <inheritdoc />
    /// <remarks>
    /// etcd counts compares and each branch's operations separately against <c>--max-txn-ops</c>; the
    /// contract's bound is on their sum, which is never more than the server allows. The server does not
    /// publish its value, so a server started with another one is described by <c>[store] max_txn_ops</c>.
    /// </remarks>
    public int MaxTransactionOperations => Options.MaxTransactionOperations ?? DefaultMaxTransactionOperations;

    /// <inheritdoc />
    public KvStoreHealth Health => _endpoints.Health.Current;

    /// <inheritdoc />
    public KvSkippedKeys SkippedKeys { get; }

    /// <summary>The transport this store talks through.</summary>
    public EtcdTransport TransportKind { get; }

    internal KvStoreOptions Options { get; }

    internal IEtcdTransport Transport => _transport;

    internal EtcdStoreSettings Settings => _settings;

    internal ILogger Logger => _logger;

    internal ConnectionHealth Connectivity => _endpoints.Health;

    /// <inheritdoc />
    public async Task<KvPair?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        var k = KeyPath.Normalize(key);
        var range = await Live().RangeAsync(new EtcdRangeRequest(EtcdKeys.Key(k), null, 0, 0, _settings.SerializableReads), cancellationToken).ConfigureAwait(false);
        return range.Kvs.Count == 0 ? null : new KvPair(k, range.Kvs[0].Value, range.Kvs[0].ModRevision);
    }

    /// <inheritdoc />
    public async Task<KvSnapshot> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var p = KeyPath.Normalize(prefix);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await ListOnceAsync(p, cancellationToken).ConfigureAwait(false);
            }
            catch (EtcdServerException ex) when (ex.Code == (int)StatusCode.OutOfRange && attempt < 3)
            {
                // The revision the pages were pinned to was compacted away mid-listing, or a member we failed over
                // to has not applied it yet: start over.
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// etcd proves "nothing changed" without a listing. First the prefix key itself is read, linearizably: the
    /// answer's header is the store's revision now, so every write acknowledged before this call is at or
    /// below it. When that is the snapshot's own revision, nothing was written anywhere since, and that one
    /// small read is the whole cost (a reader that wants its writes — <c>/getall</c> after <c>tend hosts
    /// add</c> — pays this on every request, so it must stay cheap). Otherwise one keys-only range over the
    /// prefix's children asks for a key written after the snapshot (limit 1; the answer's count still covers
    /// every child, so a delete shows as a smaller count); etcd reads every key of the prefix to filter by
    /// revision for it, but sends back almost nothing. That read is serializable: the member has applied at
    /// least the revision the first read saw; a member behind it answers with an older revision, and the
    /// reader asks again. Only when something changed, or the counts do not add up (keys the mirror does not
    /// hold, such as non-normalised ones), is the prefix listed. A store whose revision is below the
    /// snapshot's (restored from a backup) never takes the short way.
    /// </remarks>
    public async Task<KvChangeBatch> CatchUpAsync(KvSnapshot known, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(known);
        var p = known.Prefix;
        var transport = Live();
        var had = p == KeyPath.Root ? null : known.Get(p);
        EtcdRangeResponse? self = null;
        if (p != KeyPath.Root)
        {
            self = await transport.RangeAsync(new EtcdRangeRequest(EtcdKeys.Key(p), null, 0, 0, Serializable: false, KeysOnly: true), cancellationToken).ConfigureAwait(false);
            bool selfUnchanged = self.Kvs.Count == 0 ? had is null : had is not null && self.Kvs[0].ModRevision <= known.Revision;
            if (!selfUnchanged)
            {
                return KvCatchUp.Compare(known, await ListAsync(p, cancellationToken).ConfigureAwait(false));
            }

            if (self.Revision == known.Revision)
            {
                return KvChangeBatch.Progress(known.Revision);
            }
        }

        var (start, end) = EtcdKeys.Children(p);
        var children = await transport.RangeAsync(
            new EtcdRangeRequest(start, end, 1, 0, Serializable: true, KeysOnly: true, MinModRevision: known.Revision + 1),
            cancellationToken).ConfigureAwait(false);
        long expectedChildren = known.Count - (had is null ? 0 : 1);
        bool unchanged = children.Kvs.Count == 0 && children.Count == expectedChildren;
        long revision = self is null ? children.Revision : Math.Min(children.Revision, self.Revision);
        return unchanged
            ? KvChangeBatch.Progress(revision)
            : KvCatchUp.Compare(known, await ListAsync(p, cancellationToken).ConfigureAwait(false));
    }

    /// <inheritdoc />
    public async Task<long> PutAsync(string key, string value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        return await Live().PutAsync(KeyPath.Normalize(key), value, 0, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<long> DeleteAsync(string key, bool prefix = false, CancellationToken cancellationToken = default)
    {
        var k = KeyPath.Normalize(key);
        if (!prefix)
        {
            return await Live().DeleteRangeAsync(EtcdKeys.Key(k), null, cancellationToken).ConfigureAwait(false);
        }

        // The key and its children are two ranges; one txn deletes both at one revision.
        var result = await CommitCoreAsync([], EtcdTxnPlanner.Plan([KvOperation.DeletePrefix(k)]), cancellationToken).ConfigureAwait(false);
        return result.Deleted;
    }

    /// <inheritdoc />
    public async Task<KvTransactionResult> CommitAsync(KvTransaction transaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var plan = EtcdTxnPlanner.Plan(transaction.Operations, cancellationToken);
        var result = await CommitCoreAsync(transaction.Compares, plan, cancellationToken).ConfigureAwait(false);
        return new KvTransactionResult(result.Succeeded, result.Revision);
    }

    /// <inheritdoc />
    public async Task<IKvRegistration> RegisterAsync(string key, string value, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var registration = new EtcdRegistration(this, KeyPath.Normalize(key), value, ttl, _loggerFactory.CreateLogger<EtcdRegistration>());
        await registration.StartAsync(cancellationToken).ConfigureAwait(false);
        lock (_registrationsGate)
        {
            _registrations.Add(registration);
        }

        return registration;
    }

    /// <summary>
    /// Compacts the store's history before <paramref name="revision"/>: watches that try to resume
    /// from earlier get a resync. Physical compaction waits until the space is reclaimed.
    /// </summary>
    internal async Task CompactAsync(long revision, bool physical = true, CancellationToken cancellationToken = default) =>
        await Live().CompactAsync(revision, physical, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        EtcdRegistration[] registrations;
        lock (_registrationsGate)
        {
            registrations = [.. _registrations];
            _registrations.Clear();
        }

        foreach (var r in registrations)
        {
            await r.DisposeAsync().ConfigureAwait(false);
        }

        await _disposing.CancelAsync().ConfigureAwait(false);
        await _transport.DisposeAsync().ConfigureAwait(false);
        _endpoints.Dispose();
        _disposing.Dispose();
    }

    internal void Forget(EtcdRegistration registration)
    {
        lock (_registrationsGate)
        {
            _registrations.Remove(registration);
        }
    }

    internal async Task<long> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken)
    {
        long seconds = Math.Max(2, (long)Math.Ceiling(ttl.TotalSeconds));
        return await Live().LeaseGrantAsync(seconds, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Renews a lease once; returns its remaining TTL in seconds, 0 or less when it no longer exists.</summary>
    internal Task<long> KeepAliveOnceAsync(long lease, CancellationToken cancellationToken) => Live().LeaseKeepAliveAsync(lease, cancellationToken);

    internal async Task RevokeLeaseAsync(long lease, CancellationToken cancellationToken)
    {
        try
        {
            await Live().LeaseRevokeAsync(lease, cancellationToken).ConfigureAwait(false);
        }
        catch (EtcdServerException ex) when (ex.ServerMessage.Contains("lease not found", StringComparison.OrdinalIgnoreCase))
        {
            // Already expired or revoked: the goal is reached.
        }
    }

    internal Task<long> PutWithLeaseAsync(string key, string value, long lease, CancellationToken cancellationToken) =>
        Live().PutAsync(key, value, lease, cancellationToken);

    private static EtcdTransport ChooseTransport(KvStoreOptions options, EtcdStoreSettings settings) => options.Transport switch
    {
        null => settings.Transport,
        "grpc" => EtcdTransport.Grpc,
        "gateway" => EtcdTransport.Gateway,
        var other => throw new ArgumentException($"etcd transport '{other}' is unknown (known: grpc, gateway)", nameof(options)),
    };

    private IEtcdTransport Live()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _transport;
    }

    private async Task<KvSnapshot> ListOnceAsync(string p, CancellationToken cancellationToken)
    {
        var transport = Live();
        var (start, end) = EtcdKeys.Children(p);
        var pairs = new List<KvPair>();
        var page = await transport.RangeAsync(new EtcdRangeRequest(start, end, _settings.PageSize, 0, _settings.SerializableReads), cancellationToken).ConfigureAwait(false);
        long revision = page.Revision;

        // The prefix key itself sorts apart from its children; read it at the same revision, alongside the pages.
        var self = p == KeyPath.Root
            ? null
            : transport.RangeAsync(new EtcdRangeRequest(EtcdKeys.Key(p), null, 0, revision, Serializable: true), cancellationToken);
        Task<EtcdRangeResponse>? next = null;
        try
        {
            while (true)
            {
                // Ask for the next page before converting this one, so the server works while we do. Pages after
                // the first are pinned to its revision and need no quorum round of their own; a member that has not
                // reached that revision yet answers "future revision" and the listing restarts.
                next = page.More && page.Kvs.Count > 0
                    ? transport.RangeAsync(new EtcdRangeRequest(EtcdKeys.After(page.Kvs[^1].Key), end, _settings.PageSize, revision, Serializable: true), cancellationToken)
                    : null;
                if (pairs.Count == 0 && page.Count > 0)
                {
                    pairs.Capacity = (int)Math.Min(page.Count, int.MaxValue);
                }

                foreach (var kv in page.Kvs)
                {
                    if (KeyPath.IsNormalized(kv.Key))
                    {
                        pairs.Add(kv);
                    }
                    else
                    {
                        // "/app//x" or "/app/../x": no normalised key names it, so nothing could read it.
                        SkippedKeys.Report(kv.Key, KeyPath.Problem(kv.Key)!);
                    }
                }

                if (next is null)
                {
                    break;
                }

                page = await next.ConfigureAwait(false);
                next = null;
            }
        }
        catch
        {
            // Requests still in flight are abandoned; observe their failures so none goes unobserved.
            Abandon(next);
            Abandon(self);
            throw;
        }

        if (self is not null)
        {
            var kvs = (await self.ConfigureAwait(false)).Kvs;
            if (kvs.Count > 0)
            {
                pairs.Insert(0, kvs[0] with { Key = p });
            }
        }

        return KvSnapshot.Create(p, revision, pairs);
    }

    private static void Abandon(Task? task) =>
        task?.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    private async Task<EtcdTxnResponse> CommitCoreAsync(IReadOnlyList<KvCompare> compares, List<EtcdTxnPlanner.Op> plan, CancellationToken cancellationToken)
    {
        try
        {
            return await Live().TxnAsync(compares, plan, cancellationToken).ConfigureAwait(false);
        }
        catch (EtcdServerException ex) when (ex.ServerMessage.Contains("too many operations", StringComparison.OrdinalIgnoreCase))
        {
            // etcd compares the larger of the compare count and the operation count with its limit.
            throw new KvStoreException(
                $"{Name}: the transaction has {compares.Count} compares and {plan.Count} etcd operations, more than the server allows of either (etcd --max-txn-ops, "
                + $"{DefaultMaxTransactionOperations} by default; [store] max_txn_ops = {MaxTransactionOperations}); nothing was applied. Split it, or raise --max-txn-ops and max_txn_ops together.",
                ex);
        }
    }
}

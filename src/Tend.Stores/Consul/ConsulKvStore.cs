using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tend.Core.Agent;
using Tend.Core.Kv;
using Tend.Stores.Consul.Http;
using Tend.Stores.Consul.Sessions;
using Tend.Stores.Consul.Watch;
using Tend.Stores.Consul.Wire;
using Tend.Stores.Dns;

namespace Tend.Stores.Consul;

/// <summary>
/// An <see cref="IKvStore"/> on Consul's KV store over its HTTP API: listings with the index from
/// <c>X-Consul-Index</c>, watches by blocking queries turned into ordered change batches, writes and
/// transactions through <c>/v1/txn</c> (which also tells each write's index), registrations held by sessions,
/// the ACL token, TLS, a datacenter, a consistency mode and several endpoints with failover. It also offers the
/// local agent's service and health API (<see cref="Agent"/>). Connects lazily.
/// </summary>
public sealed partial class ConsulKvStore : IKvStore, IConsulAgentSource
{
    private readonly ILoggerFactory _loggerFactory;
    private readonly Lock _registrationsGate = new();
    private readonly List<ConsulRegistration> _registrations = [];
    private int _disposed;

    /// <summary>Creates a store for <paramref name="options"/>; nothing is contacted yet.</summary>
    public ConsulKvStore(KvStoreOptions options, ILoggerFactory? loggerFactory = null)
        : this(options, ConsulStoreSettings.Default, loggerFactory)
    {
    }

    /// <summary>Creates a store with Consul-specific <paramref name="settings"/>.</summary>
    public ConsulKvStore(KvStoreOptions options, ConsulStoreSettings settings, ILoggerFactory? loggerFactory = null)
        : this(options, settings, loggerFactory, null, null, null)
    {
    }

    /// <summary>Test seam: SRV resolver, HTTP handler and environment of the test's choosing.</summary>
    internal ConsulKvStore(KvStoreOptions options, ConsulStoreSettings settings, ILoggerFactory? loggerFactory, SrvResolver? srv, HttpMessageHandler? handler, Func<string, string?>? environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.WatchRoot is { } root && !KeyPath.IsNormalized(root))
        {
            throw new ArgumentException($"WatchRoot '{root}' is not a normalised key path.", nameof(settings));
        }

        Options = options;
        Settings = settings;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        Logger = _loggerFactory.CreateLogger<ConsulKvStore>();
        Connection = new ConsulConnection(options, Logger, handler ?? ConsulHttpHandler.Create(options, settings, Logger), srv, environment ?? Environment.GetEnvironmentVariable);
        OwnWrites = new OwnWriteLog(settings.HistoryLimit);
        Hub = new WatchHub(ReadPrefixAsync, OwnWrites, settings, Logger);
        Agent = new ConsulAgent(Connection);
        SkippedKeys = new KvSkippedKeys(Logger);
    }

    /// <summary>Operations per transaction Consul accepts up to 1.10 (1.11 and later: 128, set with <c>[store] max_txn_ops</c>).</summary>
    public const int DefaultMaxTransactionOperations = 64;

    /// <inheritdoc />
    public string Name => Connection.Name;

    /// <inheritdoc />
    public KvStoreCapabilities Capabilities => KvStoreCapabilities.All;

    /// <inheritdoc />
    public KvStoreHealth Health => Connection.Health;

    /// <inheritdoc />
    /// <remarks>Counted in Consul operations: a prefix delete is two, a compare evaluated on a read adds its guard.</remarks>
    public int MaxTransactionOperations => Options.MaxTransactionOperations ?? DefaultMaxTransactionOperations;

    /// <inheritdoc />
    public KvSkippedKeys SkippedKeys { get; }

    /// <inheritdoc />
    public IConsulAgent Agent { get; }

    internal KvStoreOptions Options { get; }

    internal ConsulStoreSettings Settings { get; }

    internal ILogger Logger { get; }

    internal ConsulConnection Connection { get; }

    internal OwnWriteLog OwnWrites { get; }

    internal WatchHub Hub { get; }

    /// <inheritdoc />
    public async Task<KvPair?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        var k = KeyPath.Normalize(key);
        var entry = await ReadKeyAsync(k, cancellationToken).ConfigureAwait(false);
        return entry is { } e ? new KvPair(k, e.Value, e.ModifyIndex) : null;
    }

    /// <inheritdoc />
    public async Task<KvSnapshot> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var snapshot = await ReadPrefixAsync(KeyPath.Normalize(prefix), 0, null, false, cancellationToken).ConfigureAwait(false);
        Hub.Seed(snapshot);
        return snapshot;
    }

    /// <inheritdoc />
    public IAsyncEnumerable<KvChangeBatch> WatchAsync(string prefix, long fromRevision, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return Hub.WatchAsync(KeyPath.Normalize(prefix), fromRevision, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<long> PutAsync(string key, string value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        var result = await CommitAsync(KvTransaction.Of(KvOperation.Put(KeyPath.Normalize(key), value)), cancellationToken).ConfigureAwait(false);
        return result.Revision;
    }

    /// <inheritdoc />
    public async Task<long> DeleteAsync(string key, bool prefix = false, CancellationToken cancellationToken = default)
    {
        var k = KeyPath.Normalize(key);
        var consulKey = ConsulKeys.ToConsul(k);
        var children = new[]
        {
            new TxnOperation(new TxnKvOperation { Verb = "get-tree", Key = ConsulKeys.ChildrenOf(k) }),
            new TxnOperation(new TxnKvOperation { Verb = "delete-tree", Key = ConsulKeys.ChildrenOf(k) }),
        };
        var self = new[]
        {
            new TxnOperation(new TxnKvOperation { Verb = "get", Key = consulKey }),
            new TxnOperation(new TxnKvOperation { Verb = "delete", Key = consulKey }),
        };

        // "get" fails a transaction on a missing key, and "get-tree" lists what "delete-tree" removes, so the count
        // comes from the same atomic step as the delete. Without the key itself, its children go alone.
        if (!prefix || k == KeyPath.Root)
        {
            var only = prefix ? children : self;
            var answer = await TxnAsync(only, $"deleting {k}", cancellationToken).ConfigureAwait(false);
            return answer.Status == HttpStatusCode.OK ? CountDeleted(answer.Answer) : 0;
        }

        var both = await TxnAsync([.. self, .. children], $"deleting {k} and below", cancellationToken).ConfigureAwait(false);
        if (both.Status == HttpStatusCode.OK)
        {
            return CountDeleted(both.Answer);
        }

        var below = await TxnAsync(children, $"deleting below {k}", cancellationToken).ConfigureAwait(false);
        return below.Status == HttpStatusCode.OK ? CountDeleted(below.Answer) : 0;
    }

    /// <inheritdoc />
    public async Task<IKvRegistration> RegisterAsync(string key, string value, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var registration = new ConsulRegistration(this, KeyPath.Normalize(key), value, ttl, _loggerFactory.CreateLogger<ConsulRegistration>());
        await registration.StartAsync(cancellationToken).ConfigureAwait(false);
        lock (_registrationsGate)
        {
            _registrations.Add(registration);
        }

        return registration;
    }

    /// <summary>Forgets every watch's history, as if the agent had restarted: watches resuming from an older index get a resync (tests).</summary>
    internal Task ForgetWatchHistoryAsync() => Hub.ForgetAsync();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        ConsulRegistration[] registrations;
        lock (_registrationsGate)
        {
            registrations = [.. _registrations];
            _registrations.Clear();
        }

        foreach (var r in registrations)
        {
            await r.DisposeAsync().ConfigureAwait(false);
        }

        await Hub.DisposeAsync().ConfigureAwait(false);
        Connection.Dispose();
    }

    internal void Forget(ConsulRegistration registration)
    {
        lock (_registrationsGate)
        {
            _registrations.Remove(registration);
        }
    }

    /// <summary>
    /// Reads every key at or below <paramref name="prefix"/>: a plain read with <paramref name="index"/> 0, else a
    /// blocking query that returns once the prefix's index passes it (or after <paramref name="wait"/>). Consul's
    /// <c>recurse</c> is a string prefix; keys beside the path (<c>/app-x</c> for <c>/app</c>) are dropped here.
    /// With <paramref name="consistent"/> the read is consistent whatever the configured mode.
    /// </summary>
    internal Task<KvSnapshot> ReadPrefixAsync(string prefix, long index, TimeSpan? wait, bool consistent, CancellationToken cancellationToken) =>
        ReadPrefixAsync(prefix, index, wait, consistent, notStale: false, cancellationToken);

    /// <summary>As above; with <paramref name="notStale"/> the leader answers even when the configured mode is <c>stale</c>.</summary>
    internal async Task<KvSnapshot> ReadPrefixAsync(string prefix, long index, TimeSpan? wait, bool consistent, bool notStale, CancellationToken cancellationToken)
    {
        var query = new List<KeyValuePair<string, string?>> { new("recurse", null) };
        if (index > 0)
        {
            query.Add(new("index", index.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            query.Add(new("wait", $"{(long)(wait ?? Settings.BlockingWait).TotalMilliseconds}ms"));
        }

        var response = await SendAsync(
            new ConsulRequest
            {
                Method = HttpMethod.Get,
                Path = ConsulKeys.UrlPath("/v1/kv/", ConsulKeys.ToConsul(prefix)),
                Query = query,
                Idempotent = true,
                IsRead = true,
                BlockingWait = index > 0 ? wait ?? Settings.BlockingWait : null,
                Consistent = consistent,
                NotStale = notStale,
                What = $"listing {prefix}",
            },
            cancellationToken).ConfigureAwait(false);

        // Consul documents an index of 0 as a bug to treat as 1, lest a blocking query return at once forever.
        long revision = Math.Max(1, response.Index);
        if (response.IsNotFound)
        {
            return KvSnapshot.Empty(prefix, revision);
        }

        var entries = Decode(response, prefix);
        var pairs = new List<KvPair>(entries.Count);
        foreach (var e in entries)
        {
            if (ConsulKeys.FromConsul(e.Key) is { } key)
            {
                if (KeyPath.IsUnder(key, prefix))
                {
                    pairs.Add(new KvPair(key, e.Value, e.ModifyIndex));
                }
            }
            else if (!ConsulKeys.IsFolder(e) && KeyPath.IsUnder(ConsulKeys.Nearest(e.Key), prefix))
            {
                SkippedKeys.Report(e.Key, e.Key.Length == 0 ? "it is Consul's empty key" : KeyPath.Problem("/" + e.Key) ?? "it is not a key path");
            }
        }

        return KvSnapshot.Create(prefix, revision, pairs);
    }

    /// <summary>Reads one key with its indexes and session; null when missing.</summary>
    internal Task<RawEntry?> ReadKeyAsync(string key, CancellationToken cancellationToken) => ReadKeyAsync(key, notStale: false, cancellationToken);

    /// <summary>Reads one key; with <paramref name="notStale"/> the leader answers even when the configured mode is <c>stale</c>.</summary>
    internal async Task<RawEntry?> ReadKeyAsync(string key, bool notStale, CancellationToken cancellationToken)
    {
        var response = await SendAsync(
            new ConsulRequest
            {
                Method = HttpMethod.Get,
                Path = ConsulKeys.UrlPath("/v1/kv/", ConsulKeys.ToConsul(key)),
                Idempotent = true,
                IsRead = true,
                NotStale = notStale,
                What = $"reading {key}",
            },
            cancellationToken).ConfigureAwait(false);
        if (response.IsNotFound)
        {
            return null;
        }

        var entries = Decode(response, key);
        return entries.Count == 0 ? null : entries[0];
    }

    internal async Task<ConsulResponse> SendAsync(ConsulRequest request, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var response = await Connection.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.Status is not (HttpStatusCode.OK or HttpStatusCode.NotFound) && !request.ReturnErrors)
        {
            throw new KvStoreException($"{Name}: {request.What} was refused: HTTP {(int)response.Status} {response.Text}");
        }

        return response;
    }

    private List<RawEntry> Decode(ConsulResponse response, string what)
    {
        try
        {
            return ConsulKvCodec.ReadEntries(response.Body);
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            throw new KvStoreException($"{Name}: the answer for {what} from {response.Endpoint} is not a KV listing: {ex.Message}", ex);
        }
    }

    private static long CountDeleted(TxnAnswer answer) =>
        answer.Results?.Count(r => r.Kv is { } kv && ConsulKeys.FromConsul(kv.Key) is not null) ?? 0;
}

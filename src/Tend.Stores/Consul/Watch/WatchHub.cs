using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Tend.Core.Kv;

namespace Tend.Stores.Consul.Watch;

/// <summary>
/// The store's watches: one <see cref="PrefixTracker"/> per watched prefix (a watch below a prefix that is
/// already tracked shares its tracker; with <see cref="ConsulStoreSettings.WatchRoot"/> every watch below it
/// shares one), created on the first watch and stopped a while after the last one left. Listings leave their
/// state behind as a seed, so a watch from a listing's index + 1 starts from that state and misses nothing in
/// between without a query running all the time: idle prefixes cost nothing.
/// </summary>
internal sealed class WatchHub : IAsyncDisposable
{
    private const int MaxSeeds = 64;

    private readonly Func<string, long, TimeSpan?, bool, CancellationToken, Task<KvSnapshot>> _read;
    private readonly OwnWriteLog _own;
    private readonly ConsulStoreSettings _settings;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly List<PrefixTracker> _trackers = [];
    private readonly Dictionary<string, (KvSnapshot State, long At)> _seeds = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _disposing = new();

    public WatchHub(Func<string, long, TimeSpan?, bool, CancellationToken, Task<KvSnapshot>> read, OwnWriteLog own, ConsulStoreSettings settings, ILogger logger)
    {
        _read = read;
        _own = own;
        _settings = settings;
        _logger = logger;
    }

    /// <summary>How many blocking queries run (for tests and benchmarks).</summary>
    public int TrackerCount
    {
        get
        {
            lock (_gate)
            {
                return _trackers.Count(t => !t.IsStopped);
            }
        }
    }

    /// <summary>Remembers a listing, so a watch of its prefix from its index + 1 can start from it.</summary>
    public void Seed(KvSnapshot listing)
    {
        lock (_gate)
        {
            if (Covering(listing.Prefix) is not null)
            {
                return;
            }

            if (_seeds.TryGetValue(listing.Prefix, out var old) && old.State.Revision > listing.Revision)
            {
                return;
            }

            _seeds[listing.Prefix] = (listing, Stopwatch.GetTimestamp());
            if (_seeds.Count > MaxSeeds)
            {
                _seeds.Remove(_seeds.MinBy(s => s.Value.At).Key);
            }
        }
    }

    /// <summary>The <see cref="IKvStore.WatchAsync"/> of the store.</summary>
    public async IAsyncEnumerable<KvChangeBatch> WatchAsync(string prefix, long fromRevision, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        PrefixTracker tracker;
        TrackerWatcher watcher;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposing.IsCancellationRequested, this);
            tracker = Covering(prefix) ?? Create(prefix);

            // Under the hub's lock, so the tracker cannot be retired between being found and being joined.
            watcher = tracker.Subscribe(prefix, fromRevision);
        }

        try
        {
            await foreach (var batch in watcher.Queue.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return batch;
            }

            // The queue only completes without an error when the tracker was stopped (store disposed, history dropped).
            cancellationToken.ThrowIfCancellationRequested();
            throw new KvStoreUnavailableException($"the watch on {prefix} was stopped");
        }
        finally
        {
            tracker.Unsubscribe(watcher);
            if (tracker.WatcherCount == 0)
            {
                _ = RetireLaterAsync(tracker);
            }
        }
    }

    /// <summary>Stops every tracker and drops every seed: watches from an older index get a resync (a test seam, like a compaction).</summary>
    public async Task ForgetAsync()
    {
        PrefixTracker[] trackers;
        lock (_gate)
        {
            trackers = [.. _trackers];
            _trackers.Clear();
            _seeds.Clear();
        }

        foreach (var t in trackers)
        {
            await t.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _disposing.CancelAsync().ConfigureAwait(false);
        await ForgetAsync().ConfigureAwait(false);
        _disposing.Dispose();
    }

    private PrefixTracker? Covering(string prefix)
    {
        _trackers.RemoveAll(t => t.IsStopped);
        PrefixTracker? best = null;
        foreach (var t in _trackers)
        {
            if (KeyPath.IsUnder(prefix, t.Prefix) && (best is null || t.Prefix.Length > best.Prefix.Length))
            {
                best = t;
            }
        }

        return best;
    }

    private PrefixTracker Create(string prefix)
    {
        var root = _settings.WatchRoot is { } r && KeyPath.IsUnder(prefix, KeyPath.Normalize(r)) ? KeyPath.Normalize(r) : prefix;

        // The newest seed at or above the root gives the tracker its starting state (restricted to the root).
        KvSnapshot? seed = null;
        string? seedKey = null;
        foreach (var (key, (state, _)) in _seeds)
        {
            if (KeyPath.IsUnder(root, key) && (seed is null || state.Revision > seed.Revision))
            {
                seed = state;
                seedKey = key;
            }
        }

        if (seed is not null && seed.Prefix != root)
        {
            seed = KvSnapshot.Create(root, seed.Revision, seed.Under(root));
        }
        else if (seedKey is not null)
        {
            _seeds.Remove(seedKey);
        }

        var tracker = new PrefixTracker(root, seed, _read, _own, _settings, _logger);
        _trackers.Add(tracker);
        tracker.Start();
        return tracker;
    }

    /// <summary>Stops a tracker that stayed without watchers for the linger time; its last state becomes a seed.</summary>
    private async Task RetireLaterAsync(PrefixTracker tracker)
    {
        try
        {
            await Task.Delay(_settings.WatchLinger, _disposing.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        lock (_gate)
        {
            if (tracker.WatcherCount > 0 || Stopwatch.GetElapsedTime(tracker.IdleSince) < _settings.WatchLinger * 0.9 || !_trackers.Remove(tracker))
            {
                return;
            }

            if (tracker.State is { } state)
            {
                _seeds[tracker.Prefix] = (state, Stopwatch.GetTimestamp());
            }
        }

        await tracker.DisposeAsync().ConfigureAwait(false);
    }
}

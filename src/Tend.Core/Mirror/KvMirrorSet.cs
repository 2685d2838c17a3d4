using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tend.Core.Kv;

namespace Tend.Core.Mirror;

/// <summary>
/// The mirrors of one store, one per distinct prefix however many resources read it, so a store
/// carries one watch stream per prefix and not one per consumer.
/// </summary>
/// <remarks>
/// A mirror taken with <see cref="Lease"/> lives while it is leased: when the last lease goes (a reload
/// stopped reading the prefix) and none comes back within <see cref="Linger"/>, the mirror stops and its
/// watch with it. A mirror taken with <see cref="Get"/> stays for the life of the set.
/// </remarks>
public sealed partial class KvMirrorSet : IAsyncDisposable
{
    private readonly IKvStore _store;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly Dictionary<string, Entry> _mirrors = new(StringComparer.Ordinal);
    private readonly List<Task> _retiring = [];
    private readonly CancellationTokenSource _disposing = new();
    private readonly Lock _gate = new();

    /// <summary>Creates an empty set over <paramref name="store"/>.</summary>
    public KvMirrorSet(IKvStore store, ILoggerFactory? loggers = null)
    {
        _store = store;
        _loggers = loggers ?? NullLoggerFactory.Instance;
        _logger = _loggers.CreateLogger<KvMirrorSet>();
    }

    /// <summary>
    /// How long a mirror whose last lease was disposed keeps watching before it stops: long enough for a
    /// reload, which releases the old module's leases before the new module takes its own, to keep the mirror.
    /// </summary>
    public TimeSpan Linger { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The mirrors, by prefix.</summary>
    public IReadOnlyCollection<KvMirror> Mirrors
    {
        get
        {
            lock (_gate)
            {
                return [.. _mirrors.Values.Select(e => e.Mirror)];
            }
        }
    }

    /// <summary>The started mirror of <paramref name="prefix"/>, created on first use, kept for the life of the set.</summary>
    public KvMirror Get(string prefix)
    {
        lock (_gate)
        {
            var entry = Find(prefix);
            entry.Pinned = true;
            return entry.Mirror;
        }
    }

    /// <summary>A hold on the started mirror of <paramref name="prefix"/> (created on first use); dispose it when the prefix is no longer read.</summary>
    public KvMirrorLease Lease(string prefix)
    {
        lock (_gate)
        {
            var entry = Find(prefix);
            entry.Leases++;

            // A retirement scheduled before this lease no longer applies.
            entry.Generation++;
            return new KvMirrorLease(this, entry.Mirror);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Task[] retiring;
        KvMirror[] all;
        lock (_gate)
        {
            if (_disposing.IsCancellationRequested)
            {
                return;
            }

            _disposing.Cancel();
            retiring = [.. _retiring];
            all = [.. _mirrors.Values.Select(e => e.Mirror)];
            _mirrors.Clear();
        }

        await Task.WhenAll(retiring).ConfigureAwait(false);
        foreach (var m in all)
        {
            await m.DisposeAsync().ConfigureAwait(false);
        }

        _disposing.Dispose();
    }

    internal void Release(KvMirror mirror)
    {
        lock (_gate)
        {
            if (_disposing.IsCancellationRequested || !_mirrors.TryGetValue(mirror.Prefix, out var entry) || entry.Mirror != mirror)
            {
                return;
            }

            entry.Leases--;
            if (entry.Leases > 0 || entry.Pinned)
            {
                return;
            }

            _retiring.RemoveAll(t => t.IsCompleted);
            _retiring.Add(RetireLaterAsync(entry, ++entry.Generation));
        }
    }

    private Entry Find(string prefix)
    {
        var p = KeyPath.Normalize(prefix);
        if (!_mirrors.TryGetValue(p, out var entry))
        {
            entry = new Entry(new KvMirror(_store, p, _loggers.CreateLogger<KvMirror>()));
            _mirrors.Add(p, entry);
            entry.Mirror.Start();
        }

        return entry;
    }

    /// <summary>Stops a mirror that stayed without leases for the linger time.</summary>
    private async Task RetireLaterAsync(Entry entry, long generation)
    {
        try
        {
            await Task.Delay(Linger, _disposing.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The set is being disposed: it stops every mirror itself.
            return;
        }

        lock (_gate)
        {
            if (entry.Generation != generation || entry.Leases > 0 || entry.Pinned
                || !_mirrors.TryGetValue(entry.Mirror.Prefix, out var current) || current != entry)
            {
                return;
            }

            _mirrors.Remove(entry.Mirror.Prefix);
        }

        Log.Released(_logger, entry.Mirror.Prefix);
        await entry.Mirror.DisposeAsync().ConfigureAwait(false);
    }

    private sealed class Entry(KvMirror mirror)
    {
        public KvMirror Mirror { get; } = mirror;

        public int Leases { get; set; }

        public bool Pinned { get; set; }

        public long Generation { get; set; }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 106, Level = LogLevel.Information, Message = "Mirror of {Prefix} stopped: nothing reads it any more")]
        public static partial void Released(ILogger logger, string prefix);
    }
}

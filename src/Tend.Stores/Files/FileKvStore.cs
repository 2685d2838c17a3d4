using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tend.Core.Kv;

namespace Tend.Stores.Files;

/// <summary>
/// The embedded default store: YAML and JSON files on local disk, flattened to keys and merged in
/// order (a later file wins). It is read-only. It notices every way an editor or a deployment
/// replaces a file — in-place writes, write-to-temp-then-rename, a symlink swap — through inotify
/// on the files' directories, with a slow stat poll as a safety net. A file that fails to parse
/// is reported (<c>file:line:col</c>) and the last good data stays in force.
/// </summary>
/// <remarks>
/// Revisions start at the load time in Unix milliseconds and grow by one per change, so they keep
/// growing across restarts; history since start-up is held in memory, and a watch from a revision
/// before that gets a resync.
/// </remarks>
public sealed partial class FileKvStore : IKvStore
{
    private const int HistoryLimit = 10_000;
    private static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(15);
    private static readonly TimeSpan DefaultSettle = TimeSpan.FromMilliseconds(250);

    private readonly string[] _files;
    private readonly DataFileLimits _limits;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly ChangeFeed _feed;
    private readonly List<FileSystemWatcher> _fsWatchers = [];
    private readonly SemaphoreSlim _reloadGate = new(1, 1);
    private KvSnapshot? _all;
    private string _fingerprint = string.Empty;
    private readonly TimeSpan _pollInterval;
    private readonly TimeSpan _settle;
    private HashSet<string> _nonEmpty = new(StringComparer.Ordinal);
    private string? _pendingEmpty;
    private long _pendingEmptySince;
    private Timer? _poll;
    private Timer? _debounce;
    private bool _disposed;

    /// <summary>Creates a store over <paramref name="options"/>.<see cref="KvStoreOptions.Files"/>.</summary>
    public FileKvStore(KvStoreOptions options, ILoggerFactory? loggerFactory = null)
        : this(options, DefaultPollInterval, loggerFactory)
    {
    }

    /// <summary>With another safety-net poll interval (tests use a very long one to prove file-system events alone are seen) and settle time for a file that turned empty.</summary>
    internal FileKvStore(KvStoreOptions options, TimeSpan pollInterval, ILoggerFactory? loggerFactory = null, TimeSpan? settle = null)
    {
        _pollInterval = pollInterval;
        _settle = settle ?? DefaultSettle;
        ArgumentNullException.ThrowIfNull(options);
        if (options.Files.Count == 0)
        {
            throw new ArgumentException("The file store needs at least one data file (--file PATH or files = [...] in [store]).", nameof(options));
        }

        _files = options.Files.Select(f => Path.TrimEndingDirectorySeparator(Path.GetFullPath(f))).ToArray();
        _limits = DataFileLimits.From(options);
        _feed = new ChangeFeed(_gate, HistoryLimit);
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<FileKvStore>();
        SkippedKeys = new KvSkippedKeys(_logger);
    }

    /// <inheritdoc />
    public string Name => $"file({string.Join(",", _files.Select(Path.GetFileName))})";

    /// <inheritdoc />
    public KvStoreCapabilities Capabilities => KvStoreCapabilities.None;

    /// <summary>The files, absolute, in merge order.</summary>
    public IReadOnlyList<string> Files => _files;

    /// <inheritdoc />
    public KvSkippedKeys SkippedKeys { get; }

    /// <summary>The error of the last reload, or <c>null</c> when the files parsed.</summary>
    public string? LastError { get; private set; }

    /// <inheritdoc />
    public Task<KvPair?> GetAsync(string key, CancellationToken cancellationToken = default) =>
        Task.FromResult(EnsureLoaded().Get(KeyPath.Normalize(key)));

    /// <inheritdoc />
    public Task<KvSnapshot> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var all = EnsureLoaded();
        var p = KeyPath.Normalize(prefix);
        return Task.FromResult(p == KeyPath.Root ? all : KvSnapshot.Create(p, all.Revision, all.Under(p)));
    }

    /// <inheritdoc />
    public IAsyncEnumerable<KvChangeBatch> WatchAsync(string prefix, long fromRevision, CancellationToken cancellationToken = default)
    {
        var p = KeyPath.Normalize(prefix);
        EnsureLoaded();
        return _feed.WatchAsync(p, fromRevision, () => (_all!.Revision, () => KvSnapshot.Create(p, _all.Revision, _all.Under(p))), cancellationToken);
    }

    /// <inheritdoc />
    public Task<long> PutAsync(string key, string value, CancellationToken cancellationToken = default) => throw ReadOnly("put " + key);

    /// <inheritdoc />
    public Task<long> DeleteAsync(string key, bool prefix = false, CancellationToken cancellationToken = default) => throw ReadOnly("delete " + key);

    /// <inheritdoc />
    public Task<KvTransactionResult> CommitAsync(KvTransaction transaction, CancellationToken cancellationToken = default) => throw ReadOnly("commit a transaction");

    /// <inheritdoc />
    public Task<IKvRegistration> RegisterAsync(string key, string value, TimeSpan ttl, CancellationToken cancellationToken = default) =>
        throw new KvNotSupportedException($"The file store is read-only and cannot hold ephemeral entries (register {key}); use etcd, ZooKeeper or Consul for registration.");

    /// <summary>Re-reads the files now (normally done by the file watcher); returns true when the data changed.</summary>
    public async Task<bool> ReloadAsync(CancellationToken cancellationToken = default)
    {
        EnsureLoaded();
        await _reloadGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return Reload(force: true);
        }
        finally
        {
            _reloadGate.Release();
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (var w in _fsWatchers)
            {
                w.Dispose();
            }

            _fsWatchers.Clear();
            _poll?.Dispose();
            _debounce?.Dispose();
            _feed.Complete();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Forgets the change history, as a restart would: a watch from an older revision then gets a resync.</summary>
    internal void DropHistory()
    {
        lock (_gate)
        {
            _feed.Forget(_all!.Revision + 1);
        }
    }

    private static KvNotSupportedException ReadOnly(string what) =>
        new($"The file store is read-only: cannot {what}. Edit the data files instead, or use a writable store (--store etcd|zookeeper|memory).");

    private KvSnapshot EnsureLoaded()
    {
        var all = _all;
        if (all is not null)
        {
            return all;
        }

        lock (_gate)
        {
            if (_all is null)
            {
                // The first load fails fast: a daemon must not start on data it cannot read.
                var (pairs, fingerprint, nonEmpty) = ReadAll();
                _nonEmpty = nonEmpty;
                long start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                _all = KvSnapshot.Create(KeyPath.Root, start, pairs);
                _feed.Forget(start + 1);
                _fingerprint = fingerprint;
                StartWatching();
            }

            return _all;
        }
    }

    private (List<KvPair> Pairs, string Fingerprint, HashSet<string> NonEmpty) ReadAll()
    {
        // Fingerprint first: an edit that lands while we read then shows up as a difference on the next check.
        var files = DataFilePaths.Expand(_files);
        var fingerprint = Fingerprint(files);
        var pairs = new List<KvPair>();
        var nonEmpty = new HashSet<string>(StringComparer.Ordinal);
        var load = new DataFileLoad(_limits);
        foreach (var file in files)
        {
            string text;
            try
            {
                text = DataFileReader.ReadText(file, _limits.MaxFileSize);
            }
            catch (IOException ex)
            {
                throw new KvStoreException($"{file}: cannot read data file: {ex.Message}", ex);
            }
            catch (UnauthorizedAccessException ex)
            {
                throw new KvStoreException($"{file}: cannot read data file: {ex.Message}", ex);
            }

            if (text.Length > 0)
            {
                nonEmpty.Add(file);
            }

            FileDataParser.Parse(file, text, pairs, load);
        }

        // Reported once the whole load succeeded, so a file that is refused reports nothing twice.
        foreach (var (key, reason) in load.Skipped)
        {
            SkippedKeys.Report(key, reason);
        }

        return (pairs, fingerprint, nonEmpty);
    }

    private void StartWatching()
    {
        lock (_gate)
        {
            if (_poll is not null || _disposed)
            {
                return;
            }

            _debounce = new Timer(_ => OnFilesMaybeChanged(force: true), null, Timeout.Infinite, Timeout.Infinite);
            // A data directory is watched with everything below it (files added, removed, renamed);
            // a data file through its directory and that of its symlink's target.
            var trees = _files.Where(Directory.Exists).ToHashSet(StringComparer.Ordinal);
            var dirs = new HashSet<string>(StringComparer.Ordinal);
            foreach (var f in _files.Where(f => !trees.Contains(f)))
            {
                dirs.Add(Path.GetDirectoryName(f)!);
                var target = new FileInfo(f).ResolveLinkTarget(returnFinalTarget: true);
                if (target is not null)
                {
                    dirs.Add(Path.GetDirectoryName(target.FullName)!);
                }
            }

            foreach (var dir in trees.Concat(dirs.Where(d => !trees.Contains(d))).Where(Directory.Exists))
            {
                // Any event in the directory triggers a fingerprint check: renames over the file and
                // swaps of a symlink (or of the directory link it points through) all show up here.
                var w = new FileSystemWatcher(dir)
                {
                    NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
                    IncludeSubdirectories = trees.Contains(dir),
                };
                w.Changed += (_, _) => Kick();
                w.Created += (_, _) => Kick();
                w.Deleted += (_, _) => Kick();
                w.Renamed += (_, _) => Kick();
                w.Error += (_, e) => { Log.WatcherError(_logger, dir, e.GetException().Message); Kick(); };
                w.EnableRaisingEvents = true;
                _fsWatchers.Add(w);
            }

            _poll = new Timer(_ => OnFilesMaybeChanged(force: false), null, _pollInterval, _pollInterval);
        }
    }

    private void Kick()
    {
        try
        {
            _debounce?.Change(Debounce, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // Disposed while an event was in flight.
        }
    }

    /// <param name="force">Re-read even when size and time look unchanged (after a file-system event); the poll only compares fingerprints.</param>
    private void OnFilesMaybeChanged(bool force)
    {
        if (!_reloadGate.Wait(0))
        {
            // A reload is running; run again once it is done so the last edit is never missed.
            Kick();
            return;
        }

        try
        {
            Reload(force);
        }
        finally
        {
            _reloadGate.Release();
        }
    }

    private bool Reload(bool force)
    {
        if (_disposed)
        {
            return false;
        }

        List<KvPair> pairs;
        string fingerprint;
        HashSet<string> nonEmpty;
        try
        {
            if (!force && string.Equals(Fingerprint(DataFilePaths.Expand(_files)), _fingerprint, StringComparison.Ordinal))
            {
                return false;
            }

            (pairs, fingerprint, nonEmpty) = ReadAll();
        }
        catch (KvStoreException ex)
        {
            // Mid-rename the file can be briefly missing, and a half-saved file may not parse:
            // keep the last good data, report, and look again on the next event or poll.
            if (!string.Equals(LastError, ex.Message, StringComparison.Ordinal))
            {
                Log.ReloadFailed(_logger, ex.Message);
            }

            LastError = ex.Message;
            return false;
        }

        LastError = null;
        if (!Settled(fingerprint, nonEmpty))
        {
            return false;
        }

        lock (_gate)
        {
            _fingerprint = fingerprint;
            _nonEmpty = nonEmpty;
            var previous = _all!;
            var next = KvSnapshot.Create(KeyPath.Root, previous.Revision + 1, pairs);
            var keys = previous.DiffKeys(next);
            if (keys.Count == 0)
            {
                return false;
            }

            long rev = previous.Revision + 1;
            var changes = new List<KvChange>(keys.Count);
            foreach (var k in keys)
            {
                var had = previous.TryGetValue(k, out var before);
                changes.Add(next.TryGetValue(k, out var after)
                    ? KvChange.Put(k, after, rev, had ? before : null)
                    : KvChange.Delete(k, rev, before));
            }

            _all = next;
            _feed.Append(changes, rev);
            Log.Reloaded(_logger, changes.Count, rev);
            return true;
        }
    }

    /// <summary>
    /// False while a data file that had content reads empty and has not stayed so for the settle
    /// time. An in-place save (truncate, then write) passes through an empty file; applying that
    /// moment would delete every key of the file and render outputs from nothing until the write
    /// lands. A file that stays empty is applied once it has been quiet for the settle time.
    /// </summary>
    private bool Settled(string fingerprint, HashSet<string> nonEmpty)
    {
        var emptied = _nonEmpty.Where(f => !nonEmpty.Contains(f)).ToList();
        if (emptied.Count == 0)
        {
            _pendingEmpty = null;
            return true;
        }

        long now = System.Diagnostics.Stopwatch.GetTimestamp();
        if (!string.Equals(_pendingEmpty, fingerprint, StringComparison.Ordinal))
        {
            _pendingEmpty = fingerprint;
            _pendingEmptySince = now;
            Log.EmptiedSettling(_logger, string.Join(", ", emptied), (long)_settle.TotalMilliseconds);
        }

        var waited = System.Diagnostics.Stopwatch.GetElapsedTime(_pendingEmptySince, now);
        if (waited >= _settle)
        {
            _pendingEmpty = null;
            return true;
        }

        try
        {
            // Look again when the settle time is up (an event before then looks sooner).
            _debounce?.Change(_settle - waited, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // Disposed meanwhile.
        }

        return false;
    }

    private static string Fingerprint(List<string> files)
    {
        var fp = new System.Text.StringBuilder();
        foreach (var file in files)
        {
            var info = new FileInfo(file);
            if (!info.Exists)
            {
                fp.Append(file).Append("|missing;");
                continue;
            }

            fp.Append(file).Append('|').Append(info.Length).Append('|').Append(info.LastWriteTimeUtc.Ticks).Append('|')
              .Append(info.ResolveLinkTarget(returnFinalTarget: true)?.FullName).Append(';');
        }

        return fp.ToString();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Data files changed: {Count} keys at revision {Revision}")]
        public static partial void Reloaded(ILogger logger, int count, long revision);

        [LoggerMessage(EventId = 301, Level = LogLevel.Error, Message = "Keeping the last good data: {Reason}")]
        public static partial void ReloadFailed(ILogger logger, string reason);

        [LoggerMessage(EventId = 303, Level = LogLevel.Debug, Message = "Data file(s) {Files} turned empty; applied only if still empty after {SettleMs} ms (an in-place save passes through an empty file)")]
        public static partial void EmptiedSettling(ILogger logger, string files, long settleMs);

        [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "File watcher on {Directory} overflowed or failed ({Reason}); checking the files")]
        public static partial void WatcherError(ILogger logger, string directory, string reason);
    }
}

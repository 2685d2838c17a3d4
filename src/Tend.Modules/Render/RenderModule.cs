using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tend.Core.Agent;
using Tend.Core.Config;
using Tend.Core.Files;
using Tend.Core.Kv;
using Tend.Core.Mirror;
using Tend.Core.Processes;
using Tend.Modules.Render.Config;

namespace Tend.Modules.Render;

/// <summary>
/// The render module: keeps files rendered from templates fed by watched keys. Each change is
/// coalesced per resource (<c>wait = "min:max"</c>), rendered to memory, compared with the
/// destination, staged beside it, checked, renamed over it, and followed by the reload command;
/// resources sharing a reload command reload once per pass, after all their files are written.
/// A failing resource keeps its old file and never stops the others.
/// </summary>
public sealed partial class RenderModule : IAsyncDisposable
{
    private readonly RenderOptions _options;
    private readonly IKvStore _store;
    private readonly KvMirrorSet? _mirrors;
    private readonly ICommandRunner _runner;
    private readonly ILogger _logger;
    private readonly TextWriter _diffOutput;
    private readonly TimeProvider _time;
    private readonly List<RenderResource> _resources;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<IDisposable> _subscriptions = [];
    private readonly List<KvMirrorLease> _leases = [];

    // Directory fsyncs run beside the next render instead of before the reload; onetime runs and
    // shutdown wait for them, so a finished process has left every rename on disk.
    private readonly DirectoryFlusher _flusher = new();

    // Renders run off the scheduling loop, a few at a time: a template that burns its whole time
    // limit (or a slow check command) holds one slot while the others go on rendering.
    private readonly SemaphoreSlim _slots = new(MaxConcurrentPasses);
    private readonly List<Task> _running = [];
    private Task? _loop;
    private int _staleStagesRemoved;
    private CatalogWatchSet? _catalog;

    /// <summary>
    /// Whether each write keeps its change as a diff in <see cref="RenderResourceStatus.LastDiff"/>, for
    /// <c>/status</c> and the status page (default true). A process that renders once and exits has no
    /// reader for it, and the diff of a new 10,000-host file costs more memory than the render itself.
    /// </summary>
    public bool KeepChangeDiffs { get; set; } = true;

    /// <summary>Creates the module for <paramref name="options"/>' resources, compiling their templates with Tend's Go template engine.</summary>
    /// <param name="options">The <c>[render]</c> options and resources.</param>
    /// <param name="store">Read directly in onetime and interval mode.</param>
    /// <param name="mirrors">The shared mirrors watch mode reads (<c>null</c> when only onetime or interval mode is used).</param>
    /// <param name="runner">Runs check and reload commands.</param>
    /// <param name="loggers">Logging.</param>
    /// <param name="diffOutput">Where noop mode prints its diffs.</param>
    /// <exception cref="ConfigException">A check command does not parse, or two resources share an id.</exception>
    public static RenderModule Create(RenderOptions options, IKvStore store, KvMirrorSet? mirrors, ICommandRunner runner, ILoggerFactory? loggers = null, TextWriter? diffOutput = null) =>
        new(options, store, mirrors, runner, GoTemplateCompiler.Instance, loggers, diffOutput);

    internal RenderModule(
        RenderOptions options,
        IKvStore store,
        KvMirrorSet? mirrors,
        ICommandRunner runner,
        ITemplateCompiler compiler,
        ILoggerFactory? loggers = null,
        TextWriter? diffOutput = null,
        TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(runner);
        _options = options;
        _store = store;
        _mirrors = mirrors;
        _runner = runner;
        _logger = (loggers ?? NullLoggerFactory.Instance).CreateLogger<RenderModule>();
        // Interval polls render side by side: one diff is one write, never interleaved with another.
        _diffOutput = TextWriter.Synchronized(diffOutput ?? TextWriter.Null);
        _time = time ?? TimeProvider.System;

        // Check commands are compiled up front: one that does not parse is a configuration error,
        // so the first start fails fast and a SIGHUP reload keeps the last good configuration. A
        // template that cannot be read or parsed fails only its own resource (confd does the same):
        // its file stays as it is, the others render, and the error is logged and shown in /status.
        _resources = [];
        var ids = new Dictionary<string, RenderResourceOptions>(StringComparer.Ordinal);
        foreach (var r in options.Templates)
        {
            // The id labels /status entries and /metrics series; two alike would make Prometheus refuse the scrape.
            if (!ids.TryAdd(r.Id, r))
            {
                throw new ConfigException(r.Origin, 0, 0, $"id \"{r.Id}\" is already used by the resource declared at {ids[r.Id].Origin}; ids must be unique");
            }

            var template = CompileTemplate(compiler, r);
            var check = r.CheckCommand is { } c ? compiler.CompileCheckCommand(r.Origin.Length > 0 ? r.Origin : r.Id, c) : null;
            var resource = new RenderResource(r, template, check, r.Wait ?? options.Wait);
            if (template is BrokenTemplate broken)
            {
                // Shown in /status at once; the render that fails on it logs it.
                resource.Status = resource.Status with { LastError = broken.Error };
            }

            if (r.Shape == RenderDataShape.ConsulTemplate)
            {
                resource.Catalog = new ResourceCatalog(() => Catalog, () => Changed([resource]));
            }

            _resources.Add(resource);
        }
    }

    /// <summary>The timing of the catalog watches consul-template's catalog functions start.</summary>
    internal CatalogWatchSettings CatalogSettings { get; init; } = CatalogWatchSettings.Default;

    /// <summary>The catalog queries the templates read, one watch each (started by the first render that asks).</summary>
    internal CatalogWatchSet Catalog => LazyInitializer.EnsureInitialized(ref _catalog, () => new CatalogWatchSet(_store.FindConsulAgent(), CatalogSettings, _logger));

    /// <summary>The first retry delay after a failed render in watch mode; doubles per failure up to <see cref="MaxRetryDelay"/>.</summary>
    internal TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a consul-template resource waiting for data looks again (a onetime run reads the store again).</summary>
    internal TimeSpan WaitingPoll { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest retry delay.</summary>
    internal TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How many passes (a resource, or the resources sharing a reload command) run at once in watch and interval mode.</summary>
    internal static int MaxConcurrentPasses { get; } = Math.Clamp(Environment.ProcessorCount * 2, 4, 16);

    /// <summary>
    /// Raised after each pass (a resource, or the resources sharing a reload command) has rendered and run its
    /// reload command; the argument is true when the pass replaced a file. Handlers must not block.
    /// </summary>
    public event Action<bool>? Rendered;

    /// <summary>True once every resource has rendered successfully at least once (exec mode starts its child then).</summary>
    public bool AllRenderedOnce
    {
        get
        {
            lock (_gate)
            {
                return _resources.All(r => r.Status.LastRender is not null);
            }
        }
    }

    /// <summary>The status of every resource, in configuration order.</summary>
    public IReadOnlyList<RenderResourceStatus> Status
    {
        get
        {
            lock (_gate)
            {
                return [.. _resources.Select(r => r.Schedule.DueAt() is { } due
                    ? r.Status with { NextDue = due == DateTimeOffset.MinValue ? _time.GetUtcNow() : due }
                    : r.Status)];
            }
        }
    }

    /// <summary>Renders every resource once from a fresh read of the store (onetime mode); true when every resource succeeded.</summary>
    public async Task<bool> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        RemoveStaleStageFiles();
        var ok = await ProcessAsync(_resources, fromMirrors: false, cancellationToken, waitForData: true).ConfigureAwait(false);
        await _flusher.FlushAsync(cancellationToken).ConfigureAwait(false);
        return ok;
    }

    /// <summary>
    /// Starts rendering in the background: watching the mirrors, or, with <c>[render] interval</c>,
    /// polling the store. Each resource first renders once its mirrors have loaded.
    /// </summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_loop is not null)
            {
                return;
            }

            RemoveStaleStageFiles();
            if (_options.Interval is { } interval)
            {
                _loop = Task.Run(() => PollAsync(interval, _stopping.Token));
                return;
            }

            if (_mirrors is null)
            {
                throw new InvalidOperationException("watch mode needs the mirror set");
            }

            // Each resource holds the mirrors it reads (one lease per prefix for the module), so a render
            // reads them without looking them up, and a prefix no resource reads any more after a reload
            // lets its mirror and its watch stop.
            var leases = new Dictionary<string, KvMirrorLease>(StringComparer.Ordinal);
            var byMirror = new Dictionary<KvMirror, List<RenderResource>>();
            foreach (var r in _resources)
            {
                var held = new KvMirror[r.ReadPrefixes.Count];
                for (int i = 0; i < held.Length; i++)
                {
                    var prefix = r.ReadPrefixes[i];
                    if (!leases.TryGetValue(prefix, out var lease))
                    {
                        leases[prefix] = lease = _mirrors.Lease(prefix);
                        _leases.Add(lease);
                    }

                    held[i] = lease.Mirror;
                    if (!byMirror.TryGetValue(lease.Mirror, out var list))
                    {
                        byMirror[lease.Mirror] = list = [];
                    }

                    if (!list.Contains(r))
                    {
                        list.Add(r);
                    }
                }

                r.Mirrors = held;
                if (held.Length == 0)
                {
                    // Reads no key (a template of the catalog or files only): nothing to load first.
                    r.Synced = true;
                    r.Schedule.RunNow();
                }
            }

            foreach (var (mirror, list) in byMirror)
            {
                _subscriptions.Add(mirror.Subscribe(_ => Changed(list)));
                _ = WhenMirrorSyncedAsync(mirror, list, _stopping.Token);
            }

            _loop = Task.Run(() => WatchLoopAsync(_stopping.Token));
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var s in _subscriptions)
        {
            s.Dispose();
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Expected on shutdown.
            }
        }

        if (_catalog is not null)
        {
            await _catalog.DisposeAsync().ConfigureAwait(false);
        }

        await _flusher.FlushAsync().ConfigureAwait(false);

        // After the last render: a mirror no other module reads stops (after the set's linger time).
        foreach (var lease in _leases)
        {
            lease.Dispose();
        }

        _stopping.Dispose();
        _wake.Dispose();
        _slots.Dispose();
    }

    private static IResourceTemplate CompileTemplate(ITemplateCompiler compiler, RenderResourceOptions r)
    {
        string text;
        try
        {
            // A template given inline (consul-template's contents) is not read from a file.
            text = r.Contents ?? File.ReadAllText(r.Source);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            var declared = r.Origin.Length > 0 ? $" (declared at {r.Origin})" : string.Empty;
            var reason = ex is FileNotFoundException or DirectoryNotFoundException ? "no such template" : ex.Message;
            return new BrokenTemplate($"{r.Source}: cannot read the template of {r.Id}{declared}: {reason}");
        }

        if (r.Shape == RenderDataShape.Reconfig && r.Source.EndsWith(".erb", StringComparison.Ordinal))
        {
            // reconfig's own templates: Ruby's ERB renders them, in a subprocess.
            return new ErbTemplate(r.Source, text);
        }

        try
        {
            return compiler.CompileResource(r, text);
        }
        catch (ConfigException ex)
        {
            return new BrokenTemplate(ex.Message);
        }
    }

    /// <summary>
    /// Removes what a killed run left beside each destination: files staged by Tend
    /// (<c>.NAME.tend-XXXXXXXXXX</c>) that were never renamed. Not with keep_stage_file, which keeps
    /// failed stages for inspection on purpose. Once per module, before its first render; a
    /// destination has one writer, so nothing staged now can be in flight.
    /// </summary>
    private void RemoveStaleStageFiles()
    {
        if (_options.KeepStageFile || Interlocked.Exchange(ref _staleStagesRemoved, 1) == 1)
        {
            return;
        }

        foreach (var r in _resources)
        {
            foreach (var path in AtomicFile.RemoveStaleStageFiles(r.Options.Destination))
            {
                Log.StaleStageRemoved(_logger, r.Options.Id, path);
            }
        }
    }

    private async Task WhenMirrorSyncedAsync(KvMirror mirror, List<RenderResource> readers, CancellationToken cancellationToken)
    {
        try
        {
            await mirror.WhenSynced.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        // Every reader whose mirrors have now all loaded renders at once; marking them together
        // lets readers sharing a reload command render in one pass and reload once.
        lock (_gate)
        {
            foreach (var r in readers)
            {
                if (!r.Synced && r.Mirrors.All(m => m.IsSynced))
                {
                    r.Synced = true;
                    r.Schedule.RunNow();
                }
            }
        }

        Wake();
    }

    private void Changed(List<RenderResource> resources)
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            foreach (var r in resources)
            {
                // Before the first load completes, the render after it covers this change.
                if (!r.Synced)
                {
                    continue;
                }

                r.Schedule.Change(now);
            }
        }

        Wake();
    }

    private void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (ObjectDisposedException)
        {
            // Stopped.
        }
    }
}

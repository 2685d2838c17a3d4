using Microsoft.Extensions.Logging;
using Tend.Cli;
using Tend.Core.Config;
using Tend.Core.Kv;
using Tend.Core.Mirror;
using Tend.Core.Processes;
using Tend.Modules.Render;

namespace Tend.Daemon;

/// <summary>
/// Everything one configuration runs: the store, its mirrors, and the modules fed by them. A
/// reload builds a new runtime from the new configuration and disposes the old one.
/// </summary>
internal sealed partial class DaemonRuntime : IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly List<IDisposable> _subscriptions = [];

    private DaemonRuntime(TendConfig config, IKvStore store, KvMirrorSet mirrors, ILogger logger)
    {
        Config = config;
        Store = store;
        Mirrors = mirrors;
        _logger = logger;
    }

    public TendConfig Config { get; }

    public IKvStore Store { get; }

    public KvMirrorSet Mirrors { get; }

    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>The render module, when the configuration has render resources.</summary>
    public RenderModule? Render { get; private set; }

    public static DaemonRuntime Start(TendConfig config, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger<DaemonRuntime>();
        var store = GlobalOptions.OpenStore(config.Store, loggers);
        var mirrors = new KvMirrorSet(store, loggers);
        var runtime = new DaemonRuntime(config, store, mirrors, logger);
        if (config.Render.Templates.Count > 0)
        {
            try
            {
                // Templates are read and compiled here, so a SIGHUP reload re-reads them too.
                runtime.Render = RenderModule.Create(config.Render, store, mirrors, ShellCommandRunner.Instance, loggers, Console.Out);
            }
            catch
            {
                mirrors.DisposeAsync().AsTask().GetAwaiter().GetResult();
                store.DisposeAsync().AsTask().GetAwaiter().GetResult();
                throw;
            }

            runtime.Render.Start();
        }

        foreach (var prefix in config.Watch.Prefixes)
        {
            var mirror = mirrors.Get(prefix);
            runtime._subscriptions.Add(mirror.Subscribe(runtime.LogChanges));
        }

        Log.Started(logger, store.Name, config.Watch.Prefixes.Count, config.Render.Templates.Count);
        return runtime;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var s in _subscriptions)
        {
            s.Dispose();
        }

        if (Render is not null)
        {
            await Render.DisposeAsync().ConfigureAwait(false);
        }

        await Mirrors.DisposeAsync().ConfigureAwait(false);
        await Store.DisposeAsync().ConfigureAwait(false);
    }

    private void LogChanges(KvMirrorUpdate update)
    {
        if (update.IsResync)
        {
            Log.Resynced(_logger, update.Current.Prefix, update.ChangedKeys.Count, update.Current.Revision);
        }

        foreach (var key in update.ChangedKeys)
        {
            if (update.Current.Get(key) is { } pair)
            {
                Log.Put(_logger, key, pair.Value, update.Current.Revision);
            }
            else
            {
                Log.Deleted(_logger, key, update.Current.Revision);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Running on {Store}, watching {Prefixes} prefixes, rendering {Templates} templates")]
        public static partial void Started(ILogger logger, string store, int prefixes, int templates);

        [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "PUT {Key} = {Value} (revision {Revision})")]
        public static partial void Put(ILogger logger, string key, string value, long revision);

        [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "DELETE {Key} (revision {Revision})")]
        public static partial void Deleted(ILogger logger, string key, long revision);

        [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "Resynced {Prefix}: {Count} keys differ (revision {Revision})")]
        public static partial void Resynced(ILogger logger, string prefix, int count, long revision);
    }
}

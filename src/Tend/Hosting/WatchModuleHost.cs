using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tend.Core.Config;
using Tend.Core.Mirror;

namespace Tend.Hosting;

/// <summary><c>[watch] prefixes</c>: every change below them is logged. Each prefix is leased, so one a reload drops stops being watched.</summary>
internal sealed partial class WatchModuleHost(DaemonModuleContext context) : IDaemonModule
{
    private readonly ILogger _logger = context.Loggers.CreateLogger<WatchModuleHost>();
    private readonly List<IDisposable> _holds = [];

    public Task<ModuleChange> ValidateAsync(TendConfig config, CancellationToken cancellationToken = default)
    {
        var prefixes = config.Watch.Prefixes;
        return Task.FromResult(new ModuleChange(_ => Apply(prefixes)));
    }

    public void WriteStatus(Utf8JsonWriter json)
    {
        // The watched prefixes show in /status' mirrors.
    }

    public void WriteMetrics(MetricsWriter metrics)
    {
        // Their mirrors' series are the daemon's own.
    }

    public ValueTask DisposeAsync()
    {
        Release();
        return ValueTask.CompletedTask;
    }

    private Task Apply(IReadOnlyList<string> prefixes)
    {
        // The old leases go before the new ones come: a prefix both configurations watch keeps its mirror.
        Release();
        foreach (var prefix in prefixes)
        {
            // The subscription goes before its lease.
            var lease = context.Mirrors.Lease(prefix);
            _holds.Add(lease.Mirror.Subscribe(LogChanges));
            _holds.Add(lease);
        }

        return Task.CompletedTask;
    }

    private void Release()
    {
        foreach (var hold in _holds)
        {
            hold.Dispose();
        }

        _holds.Clear();
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
        [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "PUT {Key} = {Value} (revision {Revision})")]
        public static partial void Put(ILogger logger, string key, string value, long revision);

        [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "DELETE {Key} (revision {Revision})")]
        public static partial void Deleted(ILogger logger, string key, long revision);

        [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "Resynced {Prefix}: {Count} keys differ (revision {Revision})")]
        public static partial void Resynced(ILogger logger, string prefix, int count, long revision);
    }
}

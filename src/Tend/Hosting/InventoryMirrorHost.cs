using System.Text.Json;
using Tend.Core.Config;
using Tend.Core.Kv;
using Tend.Core.Mirror;
using Tend.Modules.Hooks;
using Tend.Modules.Hooks.Inventory;

namespace Tend.Hosting;

/// <summary>
/// The mirror the inventory endpoints (<c>/getall</c>) read: the inventory root, leased at the first request that
/// asks for it and released when a reload moves the root, so a root nothing reads any more stops being watched.
/// </summary>
internal sealed class InventoryMirrorHost(DaemonModuleContext context) : IDaemonModule
{
    private readonly Lock _gate = new();
    private string? _root;
    private KvMirrorLease? _lease;
    private bool _disposed;

    /// <summary>
    /// The mirror of <paramref name="root"/>, leased on first use; <c>null</c> when <paramref name="root"/> is not the
    /// applied configuration's (a request that raced a reload reads the store instead of leasing a root nothing keeps).
    /// </summary>
    public KvMirror? Mirror(string root)
    {
        lock (_gate)
        {
            if (_disposed || _root is null || root != _root)
            {
                return null;
            }

            _lease ??= context.Mirrors.Lease(root);
            return _lease.Mirror;
        }
    }

    public Task<ModuleChange> ValidateAsync(TendConfig config, CancellationToken cancellationToken = default)
    {
        var options = config.Module<HooksOptions>("hooks")?.Inventory ?? new HostInventoryOptions();
        var root = KeyPath.Normalize(options.Root);
        return Task.FromResult(new ModuleChange(_ => Apply(root)));
    }

    public void WriteStatus(Utf8JsonWriter json)
    {
        // The inventory root's mirror shows in /status' mirrors.
    }

    public void WriteMetrics(MetricsWriter metrics)
    {
        // Its series are the daemon's mirror series.
    }

    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _disposed = true;
            _lease?.Dispose();
            _lease = null;
        }

        return ValueTask.CompletedTask;
    }

    private Task Apply(string root)
    {
        lock (_gate)
        {
            if (root != _root)
            {
                _lease?.Dispose();
                _lease = null;
                _root = root;
            }
        }

        return Task.CompletedTask;
    }
}

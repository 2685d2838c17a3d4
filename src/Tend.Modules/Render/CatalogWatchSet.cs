using Microsoft.Extensions.Logging;
using Tend.Core.Agent;
using Tend.Templates.Catalog;

namespace Tend.Modules.Render;

/// <summary>
/// The catalog watches of one render module: one per distinct query (by its consul-template notation), started the
/// first time a template asks for it and shared by every template that reads it; all stop with the module (a
/// reload builds a new module, so a query no template reads any more is no longer watched).
/// </summary>
internal sealed class CatalogWatchSet(IConsulAgent? agent, CatalogWatchSettings settings, ILogger logger) : IAsyncDisposable
{
    private readonly Dictionary<string, CatalogWatch> _watches = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private bool _disposed;

    /// <summary>Whether the store has a catalog (the Consul store).</summary>
    public bool Available => agent is not null;

    /// <summary>The watches running, by query.</summary>
    public IReadOnlyList<CatalogWatch> Watches
    {
        get
        {
            lock (_gate)
            {
                return [.. _watches.Values];
            }
        }
    }

    /// <summary>The watch of <paramref name="query"/>, started when new.</summary>
    /// <exception cref="InvalidOperationException">The store has no catalog.</exception>
    public CatalogWatch Get(CatalogQuery query)
    {
        if (agent is null)
        {
            throw new InvalidOperationException("the store has no catalog");
        }

        lock (_gate)
        {
            if (!_watches.TryGetValue(query.Key, out var watch))
            {
                watch = new CatalogWatch(query, agent, settings, logger);
                _watches[query.Key] = watch;
                if (!_disposed)
                {
                    CatalogLog.Started(logger, query.Key);
                    watch.Start();
                }
            }

            return watch;
        }
    }

    public async ValueTask DisposeAsync()
    {
        CatalogWatch[] watches;
        lock (_gate)
        {
            _disposed = true;
            watches = [.. _watches.Values];
        }

        foreach (var w in watches)
        {
            await w.DisposeAsync().ConfigureAwait(false);
        }
    }
}

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tend.Core.Kv;

namespace Tend.Core.Mirror;

/// <summary>
/// The mirrors of one store, one per distinct prefix however many resources read it, so a store
/// carries one watch stream per prefix and not one per consumer.
/// </summary>
public sealed class KvMirrorSet : IAsyncDisposable
{
    private readonly IKvStore _store;
    private readonly ILoggerFactory _loggers;
    private readonly Dictionary<string, KvMirror> _mirrors = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Creates an empty set over <paramref name="store"/>.</summary>
    public KvMirrorSet(IKvStore store, ILoggerFactory? loggers = null)
    {
        _store = store;
        _loggers = loggers ?? NullLoggerFactory.Instance;
    }

    /// <summary>The mirrors, by prefix.</summary>
    public IReadOnlyCollection<KvMirror> Mirrors
    {
        get
        {
            lock (_gate)
            {
                return [.. _mirrors.Values];
            }
        }
    }

    /// <summary>The started mirror of <paramref name="prefix"/>, created on first use.</summary>
    public KvMirror Get(string prefix)
    {
        var p = KeyPath.Normalize(prefix);
        lock (_gate)
        {
            if (!_mirrors.TryGetValue(p, out var mirror))
            {
                mirror = new KvMirror(_store, p, _loggers.CreateLogger<KvMirror>());
                _mirrors.Add(p, mirror);
                mirror.Start();
            }

            return mirror;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        KvMirror[] all;
        lock (_gate)
        {
            all = [.. _mirrors.Values];
            _mirrors.Clear();
        }

        foreach (var m in all)
        {
            await m.DisposeAsync().ConfigureAwait(false);
        }
    }
}

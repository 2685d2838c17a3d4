using Tend.Core.Kv;
using Tend.Core.Mirror;

namespace Tend.Modules.Health;

/// <summary>
/// Reads the daemon's mirrors of <c>cluster/ENV</c>, <c>health/ENV</c> and <c>triggers/ENV</c>: no store round trip per
/// check, and the last known data while the store is away. It holds a lease on each of the three from construction
/// until disposed, so another environment after a reload stops the old environment's watches.
/// </summary>
internal sealed class MirrorHealthData : IHealthData, IDisposable
{
    private readonly KvMirrorLease[] _leases;

    public MirrorHealthData(KvMirrorSet mirrors, string environment)
    {
        Environment = environment;
        Prefixes = [.. new[] { "/cluster", "/health", "/triggers" }.Select(p => KeyPath.Join(p, environment))];
        _leases = [.. Prefixes.Select(mirrors.Lease)];
    }

    /// <summary>The environment whose prefixes are read.</summary>
    public string Environment { get; }

    /// <summary>The prefixes the module reads, each watched by one shared mirror.</summary>
    public IReadOnlyList<string> Prefixes { get; }

    /// <summary>The mirrors of <see cref="Prefixes"/>, in the same order.</summary>
    public IReadOnlyList<KvMirror> Mirrors => [.. _leases.Select(l => l.Mirror)];

    public async Task<string?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        var mirror = await MirrorOf(key, cancellationToken).ConfigureAwait(false);
        return mirror.Current.Get(key)?.Value;
    }

    public async Task<IReadOnlyList<KvPair>> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var mirror = await MirrorOf(prefix, cancellationToken).ConfigureAwait(false);
        return mirror.Current.Under(prefix);
    }

    /// <summary>Gives the three leases back.</summary>
    public void Dispose()
    {
        foreach (var lease in _leases)
        {
            lease.Dispose();
        }
    }

    private async Task<KvMirror> MirrorOf(string key, CancellationToken cancellationToken)
    {
        int i = 0;
        while (i < Prefixes.Count && !KeyPath.IsUnder(key, Prefixes[i]))
        {
            i++;
        }

        var mirror = i < Prefixes.Count ? _leases[i].Mirror : throw new InvalidOperationException($"{key} is not under a mirrored prefix");
        await mirror.WhenSynced.WaitAsync(cancellationToken).ConfigureAwait(false);
        return mirror;
    }
}

using Tend.Core.Kv;
using Tend.Core.Mirror;

namespace Tend.Modules.Health;

/// <summary>Reads the daemon's mirrors of <c>cluster/ENV</c>, <c>health/ENV</c> and <c>triggers/ENV</c>: no store round trip per check, and the last known data while the store is away.</summary>
internal sealed class MirrorHealthData(KvMirrorSet mirrors, string environment) : IHealthData
{
    /// <summary>The prefixes the module reads, each watched by one shared mirror.</summary>
    public IReadOnlyList<string> Prefixes { get; } = new[] { "/cluster", "/health", "/triggers" }.Select(p => KeyPath.Join(p, environment)).ToArray();

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

    private async Task<KvMirror> MirrorOf(string key, CancellationToken cancellationToken)
    {
        var prefix = Prefixes.FirstOrDefault(p => KeyPath.IsUnder(key, p)) ?? throw new InvalidOperationException($"{key} is not under a mirrored prefix");
        var mirror = mirrors.Get(prefix);
        await mirror.WhenSynced.WaitAsync(cancellationToken).ConfigureAwait(false);
        return mirror;
    }
}

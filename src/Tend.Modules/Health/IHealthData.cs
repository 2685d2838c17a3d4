using Tend.Core.Kv;

namespace Tend.Modules.Health;

/// <summary>Where the health module reads cluster definitions, published health and triggers: the store itself (one-shot commands) or the daemon's mirrors.</summary>
internal interface IHealthData
{
    /// <summary>One key's value, or <c>null</c>.</summary>
    Task<string?> GetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Every pair at or below <paramref name="prefix"/>.</summary>
    Task<IReadOnlyList<KvPair>> ListAsync(string prefix, CancellationToken cancellationToken = default);
}

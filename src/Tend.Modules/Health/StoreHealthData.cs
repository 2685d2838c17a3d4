using Tend.Core.Kv;

namespace Tend.Modules.Health;

/// <summary>Reads straight from the store (the one-shot commands: <c>tend check</c>, <c>tend trigger</c>, <c>tend watch</c>).</summary>
internal sealed class StoreHealthData(IKvStore store) : IHealthData
{
    public async Task<string?> GetAsync(string key, CancellationToken cancellationToken = default) =>
        (await Read(() => store.GetAsync(key, cancellationToken), key).ConfigureAwait(false))?.Value;

    public async Task<IReadOnlyList<KvPair>> ListAsync(string prefix, CancellationToken cancellationToken = default) =>
        await Read(() => store.ListAsync(prefix, cancellationToken), prefix).ConfigureAwait(false);

    private static async Task<T> Read<T>(Func<Task<T>> read, string key)
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (KvStoreException ex)
        {
            throw new HealthUnknownException($"cannot read {key}: {ex.Message}", ex);
        }
    }
}

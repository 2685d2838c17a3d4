using System.Text.Json;
using Tend.Core.Kv;

namespace Tend.Modules.Health;

/// <summary>
/// Reads the primaries' health from the entries nodes publish under <c>health/ENV/SERVICE/</c>: a
/// primary passes when its entry exists (the publishing agent is alive) and says <c>passing</c>. On a
/// store without ephemeral entries nobody publishes, so the answer is unknown rather than "no primary
/// passes" — which would start every secondary.
/// </summary>
internal sealed class PublishedPrimaryHealthSource(IHealthData data, bool storePublishes) : IPrimaryHealthSource
{
    public async Task<PrimaryHealth> GetAsync(HealthIdentity identity, string service, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(identity);
        if (!storePublishes)
        {
            return new PrimaryHealth(null, "this store holds no published health (it has no ephemeral entries)");
        }

        var prefix = identity.HealthPrefix(service);
        var passing = new List<string>();
        var failing = new List<string>();
        foreach (var pair in await data.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            var node = KeyPath.Relative(pair.Key, prefix).TrimStart('/');
            if (node.Length == 0 || node.Contains('/', StringComparison.Ordinal) || string.Equals(node, identity.Hostname, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var entry = TryRead(pair.Value);
            if (entry is null || !string.Equals(entry.Role, "primary", StringComparison.Ordinal))
            {
                continue;
            }

            (string.Equals(entry.Status, "passing", StringComparison.Ordinal) ? passing : failing).Add($"{node} {entry.Status}");
        }

        if (passing.Count > 0)
        {
            return new PrimaryHealth(true, "primary " + string.Join(", ", passing));
        }

        return new PrimaryHealth(false, failing.Count == 0 ? "no primary publishes health" : "primary " + string.Join(", ", failing));
    }

    private static PublishedHealth? TryRead(string value)
    {
        try
        {
            return JsonSerializer.Deserialize(value, HealthJsonContext.Default.PublishedHealth);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

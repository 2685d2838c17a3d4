using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Tend.Core.Agent;

namespace Tend.Modules.Register;

/// <summary>
/// How a registered service appears in the local Consul agent's catalog (<c>catalog = true</c>): id
/// <c>tend-NAME</c>, its TTL check <c>tend-NAME:check</c>, the registration data as metadata.
/// </summary>
internal static partial class CatalogRegistration
{
    /// <summary>The agent-side keeper of <paramref name="options"/>'s catalog entry.</summary>
    public static ConsulTtlService Create(IConsulAgent agent, RegisterServiceOptions options, string? address, TimeSpan ttl, ILogger logger)
    {
        var id = "tend-" + options.Name;
        return new ConsulTtlService(agent, new ConsulServiceRegistration
        {
            Id = id,
            Name = options.Name,
            Address = address,
            Port = options.Port,
            Tags = options.Tags,
            Meta = Meta(options.Data),
            CheckId = id + ":check",
            CheckName = $"Tend check of {options.Name}",
            CheckTtl = ttl,
        }, logger);
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex MetaKey();

    /// <summary>The registration data as service metadata: Consul takes string values under plain keys only.</summary>
    private static Dictionary<string, string> Meta(IReadOnlyList<KeyValuePair<string, JsonNode?>> data)
    {
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in data)
        {
            if (MetaKey().IsMatch(key) && value is JsonValue v)
            {
                meta[key] = v.TryGetValue<string>(out var s) ? s : v.ToJsonString();
            }
        }

        return meta;
    }
}

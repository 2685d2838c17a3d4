using System.Text.Json.Serialization;

namespace Tend.Stores.Consul.Wire;

/// <summary>The TTL check registered with a service.</summary>
internal sealed record ServiceCheckDefinition
{
    [JsonPropertyName("CheckID")]
    public required string CheckId { get; init; }

    public string? Name { get; init; }

    [JsonPropertyName("TTL")]
    public required string Ttl { get; init; }

    public string? Status { get; init; }

    public string? Notes { get; init; }

    public string? DeregisterCriticalServiceAfter { get; init; }
}

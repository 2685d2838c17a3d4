using System.Text.Json.Serialization;

namespace Tend.Stores.Consul.Wire;

/// <summary>A check of a health entry.</summary>
internal sealed class HealthCheck
{
    public string Node { get; set; } = string.Empty;

    [JsonPropertyName("CheckID")]
    public string CheckId { get; set; } = string.Empty;

    public string Name { get; set; } = string.Empty;

    public string Status { get; set; } = string.Empty;

    public string Notes { get; set; } = string.Empty;

    public string Output { get; set; } = string.Empty;

    [JsonPropertyName("ServiceID")]
    public string ServiceId { get; set; } = string.Empty;

    public string ServiceName { get; set; } = string.Empty;

    public List<string>? ServiceTags { get; set; }
}

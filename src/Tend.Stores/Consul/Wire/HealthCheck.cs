using System.Text.Json.Serialization;

namespace Tend.Stores.Consul.Wire;

/// <summary>A check of a health entry.</summary>
internal sealed class HealthCheck
{
    [JsonPropertyName("CheckID")]
    public string CheckId { get; set; } = string.Empty;

    public string Name { get; set; } = string.Empty;

    public string Status { get; set; } = string.Empty;

    public string Output { get; set; } = string.Empty;

    [JsonPropertyName("ServiceID")]
    public string ServiceId { get; set; } = string.Empty;
}

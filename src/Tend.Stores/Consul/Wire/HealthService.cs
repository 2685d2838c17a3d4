using System.Text.Json.Serialization;

namespace Tend.Stores.Consul.Wire;

/// <summary>A service as Consul sends it: the service of a health entry, a service of <c>/v1/catalog/node</c>.</summary>
internal sealed class HealthService
{
    [JsonPropertyName("ID")]
    public string Id { get; set; } = string.Empty;

    public string Service { get; set; } = string.Empty;

    public List<string>? Tags { get; set; }

    public string Address { get; set; } = string.Empty;

    public int Port { get; set; }

    public Dictionary<string, string>? Meta { get; set; }

    public bool EnableTagOverride { get; set; }
}

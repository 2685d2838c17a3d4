using System.Text.Json.Serialization;

namespace Tend.Stores.Consul.Wire;

/// <summary>A node as Consul sends it: the node of a health entry, an element of <c>/v1/catalog/nodes</c>.</summary>
internal sealed class HealthNode
{
    [JsonPropertyName("ID")]
    public string Id { get; set; } = string.Empty;

    public string Node { get; set; } = string.Empty;

    public string Address { get; set; } = string.Empty;

    public string Datacenter { get; set; } = string.Empty;

    public Dictionary<string, string>? TaggedAddresses { get; set; }

    public Dictionary<string, string>? Meta { get; set; }
}

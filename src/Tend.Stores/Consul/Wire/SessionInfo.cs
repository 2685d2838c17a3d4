using System.Text.Json.Serialization;

namespace Tend.Stores.Consul.Wire;

/// <summary>A session as <c>/v1/session/info</c> and <c>/renew</c> describe it.</summary>
internal sealed class SessionInfo
{
    [JsonPropertyName("ID")]
    public string Id { get; set; } = string.Empty;

    public string Name { get; set; } = string.Empty;

    public string Node { get; set; } = string.Empty;

    [JsonPropertyName("TTL")]
    public string Ttl { get; set; } = string.Empty;
}

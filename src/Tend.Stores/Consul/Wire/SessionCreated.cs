using System.Text.Json.Serialization;

namespace Tend.Stores.Consul.Wire;

/// <summary>The answer of <c>/v1/session/create</c>.</summary>
internal sealed class SessionCreated
{
    [JsonPropertyName("ID")]
    public string Id { get; set; } = string.Empty;
}

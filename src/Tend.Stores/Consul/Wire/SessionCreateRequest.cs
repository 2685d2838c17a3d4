using System.Text.Json.Serialization;

namespace Tend.Stores.Consul.Wire;

/// <summary>The body of <c>/v1/session/create</c>.</summary>
internal sealed record SessionCreateRequest
{
    public required string Name { get; init; }

    [JsonPropertyName("TTL")]
    public required string Ttl { get; init; }

    /// <summary><c>delete</c>: the keys the session holds are deleted when it is invalidated or destroyed.</summary>
    public string Behavior { get; init; } = "delete";

    /// <summary>No lock delay: a registration re-created after an expiry may take its key at once.</summary>
    public string LockDelay { get; init; } = "0s";
}

using System.Text.Json.Serialization;

namespace Tend.Modules.Health;

/// <summary>The value of <c>health/ENV/SERVICE/NODE</c>: what a node's check last found, published for its peers.</summary>
public sealed record PublishedHealth
{
    /// <summary><c>passing</c>, <c>warning</c>, <c>critical</c> or <c>unknown</c>.</summary>
    [JsonPropertyName("status")]
    public required string Status { get; init; }

    /// <summary>The check's output line.</summary>
    [JsonPropertyName("output")]
    public string Output { get; init; } = string.Empty;

    /// <summary>The node's cluster role: <c>primary</c>, <c>secondary</c> or <c>standalone</c>.</summary>
    [JsonPropertyName("role")]
    public required string Role { get; init; }

    /// <summary>When the status last changed.</summary>
    [JsonPropertyName("since")]
    public DateTimeOffset Since { get; init; }
}

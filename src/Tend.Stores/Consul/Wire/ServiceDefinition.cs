using System.Text.Json.Serialization;

namespace Tend.Stores.Consul.Wire;

/// <summary>The body of <c>/v1/agent/service/register</c>.</summary>
internal sealed record ServiceDefinition
{
    [JsonPropertyName("ID")]
    public required string Id { get; init; }

    public required string Name { get; init; }

    public List<string>? Tags { get; init; }

    public string? Address { get; init; }

    public int Port { get; init; }

    public Dictionary<string, string>? Meta { get; init; }

    public ServiceCheckDefinition? Check { get; init; }
}

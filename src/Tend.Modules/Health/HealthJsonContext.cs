using System.Text.Json.Serialization;

namespace Tend.Modules.Health;

/// <summary>Source-generated JSON for the published health entries.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(PublishedHealth))]
internal sealed partial class HealthJsonContext : JsonSerializerContext;

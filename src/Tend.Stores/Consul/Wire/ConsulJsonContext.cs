using System.Text.Json.Serialization;

namespace Tend.Stores.Consul.Wire;

/// <summary>
/// Source-generated (de)serializers of the Consul messages Tend sends and reads, except KV listings,
/// which <see cref="ConsulKvCodec"/> decodes by hand straight into pairs. Property names are Consul's.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNameCaseInsensitive = false)]
[JsonSerializable(typeof(List<TxnOperation>))]
[JsonSerializable(typeof(TxnAnswer))]
[JsonSerializable(typeof(SessionCreateRequest))]
[JsonSerializable(typeof(SessionCreated))]
[JsonSerializable(typeof(List<SessionInfo>))]
[JsonSerializable(typeof(ServiceDefinition))]
[JsonSerializable(typeof(CheckUpdate))]
[JsonSerializable(typeof(List<HealthEntry>))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(AgentSelf))]
[JsonSerializable(typeof(List<HealthNode>))]
[JsonSerializable(typeof(CatalogNodeEntry))]
[JsonSerializable(typeof(Dictionary<string, List<string>?>))]
internal sealed partial class ConsulJsonContext : JsonSerializerContext
{
}

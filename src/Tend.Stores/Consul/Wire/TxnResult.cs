using System.Text.Json.Serialization;

namespace Tend.Stores.Consul.Wire;

/// <summary>One result of an applied transaction (KV results only; writes carry no value).</summary>
internal sealed class TxnResult
{
    [JsonPropertyName("KV")]
    public KvEntry? Kv { get; set; }
}

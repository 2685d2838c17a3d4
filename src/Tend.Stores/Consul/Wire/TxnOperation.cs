using System.Text.Json.Serialization;

namespace Tend.Stores.Consul.Wire;

/// <summary>One operation of a <c>/v1/txn</c> body: <c>{"KV": {...}}</c>.</summary>
internal sealed record TxnOperation([property: JsonPropertyName("KV")] TxnKvOperation Kv);

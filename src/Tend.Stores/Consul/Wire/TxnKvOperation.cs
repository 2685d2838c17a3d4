using System.Text.Json.Serialization;

namespace Tend.Stores.Consul.Wire;

/// <summary>A KV operation in a transaction: a verb, the Consul key, and what the verb needs.</summary>
internal sealed record TxnKvOperation
{
    public required string Verb { get; init; }

    public required string Key { get; init; }

    /// <summary>The value, base64 (the wire form of raw bytes in JSON).</summary>
    public string? Value { get; init; }

    /// <summary>The modify index for <c>check-index</c>, <c>cas</c>, <c>delete-cas</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong Index { get; init; }

    public string? Session { get; init; }
}

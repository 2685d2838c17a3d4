namespace Tend.Stores.Consul.Wire;

/// <summary>A KV entry as transactions return it (listings are decoded by <see cref="ConsulKvCodec"/> instead).</summary>
internal sealed class KvEntry
{
    public string Key { get; set; } = string.Empty;

    /// <summary>Base64, or null for an empty value and for write results.</summary>
    public string? Value { get; set; }

    public ulong CreateIndex { get; set; }

    public ulong ModifyIndex { get; set; }

    public string? Session { get; set; }
}

namespace Tend.Stores.Consul.Wire;

/// <summary>One KV entry of a listing, decoded: the Consul key, the value as text, the indexes and the holding session.</summary>
internal readonly record struct RawEntry(string Key, string Value, long CreateIndex, long ModifyIndex, string? Session);

namespace Tend.Stores.Consul.Watch;

/// <summary>A write this store made and whose index Consul told it: a put (with its value) or a delete.</summary>
/// <param name="Key">The Tend key.</param>
/// <param name="Value">The value put, or null for a delete.</param>
/// <param name="Index">The Raft index of the write.</param>
internal readonly record struct OwnWrite(string Key, string? Value, long Index);

namespace Tend.Templates;

/// <summary>A key and its value, as confd's <c>get</c> and <c>gets</c> return them (<c>.Key</c>, <c>.Value</c>).</summary>
/// <param name="Key">The absolute key, e.g. <c>/app/db/host</c>.</param>
/// <param name="Value">The value.</param>
public readonly record struct KVPair(string Key, string Value);

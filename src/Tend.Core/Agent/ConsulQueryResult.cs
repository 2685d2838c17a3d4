namespace Tend.Core.Agent;

/// <summary>The answer of a catalog or health read with the index to block on next (<c>X-Consul-Index</c>).</summary>
/// <typeparam name="T">What was read.</typeparam>
/// <param name="Value">The answer.</param>
/// <param name="Index">The index of the answer; 0 when the agent sent none.</param>
public sealed record ConsulQueryResult<T>(T Value, long Index);

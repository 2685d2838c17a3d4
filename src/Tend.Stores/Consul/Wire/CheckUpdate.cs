namespace Tend.Stores.Consul.Wire;

/// <summary>The body of <c>/v1/agent/check/update/:id</c>.</summary>
internal sealed record CheckUpdate(string Status, string Output);

namespace Tend.Modules.Health;

/// <summary>One check of this node in a Consul watch's input.</summary>
/// <param name="CheckId">Consul's check id (unique on the node).</param>
/// <param name="Service">The service whose trigger it fires.</param>
public sealed record WatchedCheck(string CheckId, string Service);

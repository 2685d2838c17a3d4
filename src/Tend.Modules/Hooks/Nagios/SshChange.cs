namespace Tend.Modules.Hooks.Nagios;

/// <summary>A host whose known_hosts entry is due for a reset.</summary>
/// <param name="Name">The host name.</param>
/// <param name="Address">The address its key is scanned at.</param>
/// <param name="Present">False when the host was removed: only its old key is removed.</param>
internal sealed record SshChange(string Name, string Address, bool Present);

namespace Tend.Modules.Membership.Inventories;

/// <summary>A machine the inventory says should be an etcd member.</summary>
/// <param name="Name">Its member name: the instance id, the static name, the SRV target.</param>
/// <param name="Host">The DNS name or IP its URLs use; <c>null</c> while it has none yet (an instance still being launched).</param>
/// <param name="PeerPort">Its own peer port (a DNS SRV record's), or <c>null</c> for the configured one.</param>
public sealed record InventoryMember(string Name, string? Host, int? PeerPort = null);

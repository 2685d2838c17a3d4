namespace Tend.Core.Files;

/// <summary>
/// Why a file staged with <see cref="FileDurability.Ordered"/> was flushed as <see cref="FileDurability.Full"/>: the
/// file system under it does not commit a rename after the data written before it (see <see cref="FileDurability.Ordered"/>),
/// or that cannot be told.
/// </summary>
/// <param name="Device">The file system's device as <c>major:minor</c> (its st_dev): one decision per device.</param>
/// <param name="Reason">What the decision rests on, for an operator: <c>ext4 on sda1 has no journal</c>, <c>the file system is btrfs</c>.</param>
public sealed record DurabilityFallback(string Device, string Reason);

namespace Tend.Modules.Membership;

/// <summary>One machine of a static inventory.</summary>
/// <param name="Name">The etcd member name (<c>ETCD_NAME</c> on that machine).</param>
/// <param name="Host">The DNS name or IP address its peer and client URLs use.</param>
public sealed record StaticMember(string Name, string Host);

namespace Tend.Modules.Membership.Inventories;

/// <summary>This EC2 instance, from its instance-identity document.</summary>
/// <param name="InstanceId">e.g. <c>i-0abc…</c>.</param>
/// <param name="Region">e.g. <c>eu-west-1</c>.</param>
internal sealed record InstanceIdentity(string InstanceId, string Region);

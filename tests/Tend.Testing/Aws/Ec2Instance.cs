namespace Tend.Testing.Aws;

/// <summary>An instance the EC2 double knows.</summary>
public sealed record Ec2Instance(string Id, string PrivateIp, string PrivateDnsName, string? Group, string State, string Reservation);

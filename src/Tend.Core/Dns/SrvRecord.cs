namespace Tend.Core.Dns;

/// <summary>One DNS SRV answer.</summary>
/// <param name="Priority">Lower is preferred.</param>
/// <param name="Weight">Relative weight among records of the same priority.</param>
/// <param name="Port">The service port.</param>
/// <param name="Target">The host name (without the trailing dot).</param>
public sealed record SrvRecord(ushort Priority, ushort Weight, ushort Port, string Target);

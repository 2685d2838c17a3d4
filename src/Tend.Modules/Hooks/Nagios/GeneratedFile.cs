namespace Tend.Modules.Hooks.Nagios;

/// <summary>One file the Nagios generator writes: where, and the bytes it should hold.</summary>
/// <param name="Destination">The full path.</param>
/// <param name="Content">The rendered content.</param>
internal sealed record GeneratedFile(string Destination, byte[] Content);

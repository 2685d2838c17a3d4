namespace Tend.Core.Files;

/// <summary>Mode and owner a written file should have; <c>null</c> members mean "keep the existing file's, else the default".</summary>
/// <param name="Mode">Unix permission bits, e.g. 0644.</param>
/// <param name="Uid">Owner user id.</param>
/// <param name="Gid">Owner group id.</param>
public sealed record FileOwnership(UnixFileMode? Mode = null, int? Uid = null, int? Gid = null);

namespace Tend.Core.Kv;

/// <summary>
/// One key and its value. <see cref="Key"/> is a normalised absolute path; templates see the
/// pair's <c>.Key</c> and <c>.Value</c>.
/// </summary>
/// <param name="Key">The normalised key path.</param>
/// <param name="Value">The value, decoded as UTF-8.</param>
/// <param name="ModRevision">The store revision that last wrote the key (0 when the store does not track it).</param>
public sealed record KvPair(string Key, string Value, long ModRevision = 0);

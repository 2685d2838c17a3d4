namespace Tend.Core.Kv;

/// <summary>One change to one key, as observed by a watch.</summary>
/// <param name="Kind">Put or delete.</param>
/// <param name="Key">The normalised key path.</param>
/// <param name="Value">The new value; <c>null</c> for a delete.</param>
/// <param name="PreviousValue">The value before the change when the store reports it, else <c>null</c>.</param>
/// <param name="Revision">The store revision of the change.</param>
public sealed record KvChange(KvChangeKind Kind, string Key, string? Value, string? PreviousValue, long Revision)
{
    /// <summary>A put.</summary>
    public static KvChange Put(string key, string value, long revision, string? previous = null) =>
        new(KvChangeKind.Put, key, value, previous, revision);

    /// <summary>A delete.</summary>
    public static KvChange Delete(string key, long revision, string? previous = null) =>
        new(KvChangeKind.Delete, key, null, previous, revision);
}

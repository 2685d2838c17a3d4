namespace Tend.Core.Kv;

/// <summary>The kind of write in a transaction.</summary>
public enum KvOperationKind
{
    /// <summary>Set a key.</summary>
    Put,

    /// <summary>Delete one key (a missing key is not an error).</summary>
    Delete,

    /// <summary>Delete a key and everything below it (path semantics).</summary>
    DeletePrefix,
}

/// <summary>One write in a transaction.</summary>
/// <param name="Kind">The kind of write.</param>
/// <param name="Key">The normalised key or prefix.</param>
/// <param name="Value">The value for a put.</param>
public sealed record KvOperation(KvOperationKind Kind, string Key, string? Value = null)
{
    /// <summary>Set <paramref name="key"/> to <paramref name="value"/>.</summary>
    public static KvOperation Put(string key, string value) => new(KvOperationKind.Put, key, value);

    /// <summary>Delete <paramref name="key"/>.</summary>
    public static KvOperation Delete(string key) => new(KvOperationKind.Delete, key);

    /// <summary>Delete <paramref name="prefix"/> and every key below it.</summary>
    public static KvOperation DeletePrefix(string prefix) => new(KvOperationKind.DeletePrefix, prefix);
}

namespace Tend.Core.Kv;

/// <summary>What happened to a key.</summary>
public enum KvChangeKind
{
    /// <summary>The key was created or its value replaced.</summary>
    Put,

    /// <summary>The key was removed.</summary>
    Delete,
}

using Tend.Core.Kv;

namespace Tend.Stores.Files;

/// <summary>
/// How much the file store reads, so a hostile or broken data file (a 1 GB file, a YAML "billion
/// laughs" alias bomb, a million-level nesting) is reported as invalid instead of exhausting the
/// agent's memory or stack.
/// </summary>
/// <param name="MaxFileSize">The largest file read, in bytes.</param>
/// <param name="MaxKeys">The most keys one load of all files may produce (aliases expanded).</param>
/// <param name="MaxAliasExpansion">The most keys aliases may copy in one file.</param>
internal sealed record DataFileLimits(long MaxFileSize, int MaxKeys, int MaxAliasExpansion)
{
    /// <summary>Maps and lists nested deeper than this are refused (the flatteners recurse once per level).</summary>
    public const int MaxDepth = 128;

    /// <summary>The defaults of <see cref="KvStoreOptions"/>.</summary>
    public static DataFileLimits Default { get; } = new(KvStoreOptions.DefaultMaxFileSize, KvStoreOptions.DefaultMaxKeys, KvStoreOptions.DefaultMaxAliasExpansion);

    /// <summary>The limits <paramref name="options"/> set.</summary>
    public static DataFileLimits From(KvStoreOptions options) => new(options.MaxFileSize, options.MaxKeys, options.MaxAliasExpansion);
}

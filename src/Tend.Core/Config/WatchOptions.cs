namespace Tend.Core.Config;

/// <summary>The <c>[watch]</c> section: prefixes whose every change <c>tend run</c> writes to the log (an audit trail of the store).</summary>
public sealed record WatchOptions
{
    /// <summary>The watched prefixes.</summary>
    public IReadOnlyList<string> Prefixes { get; init; } = [];
}

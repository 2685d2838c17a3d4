namespace Tend.Modules.Hooks.Exec;

/// <summary>
/// One key's change as an exec hook reports it: the value the hook last saw (or none) and the value
/// now (or none, for a delete). Further changes to the key while this waits are merged into it, so a
/// backlog never grows beyond one entry per key and the latest value is always the one reported.
/// </summary>
/// <param name="Key">The key.</param>
/// <param name="PreviousValue">The value before, <c>null</c> when the key was new.</param>
/// <param name="Value">The value now, <c>null</c> when the key was deleted.</param>
/// <param name="Revision">The store revision of the latest change.</param>
internal sealed record ExecChange(string Key, string? PreviousValue, string? Value, long Revision)
{
    /// <summary><c>put</c> or <c>delete</c>.</summary>
    public string Action => Value is null ? "delete" : "put";

    /// <summary>False when the merged changes cancel out (created then deleted, or changed back).</summary>
    public bool IsChange => !string.Equals(PreviousValue, Value, StringComparison.Ordinal);
}

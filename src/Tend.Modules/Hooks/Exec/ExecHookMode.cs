namespace Tend.Modules.Hooks.Exec;

/// <summary>How an exec hook is told about changes.</summary>
public enum ExecHookMode
{
    /// <summary>One run per changed key, with <c>TEND_KEY</c>, <c>TEND_VALUE</c>, <c>TEND_PREV_VALUE</c>, <c>TEND_ACTION</c>.</summary>
    Change,

    /// <summary>One run per burst, with every change as a JSON array on stdin.</summary>
    Batch,
}

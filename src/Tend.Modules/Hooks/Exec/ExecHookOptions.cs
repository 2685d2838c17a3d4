using Tend.Core.Config;

namespace Tend.Modules.Hooks.Exec;

/// <summary>One <c>[[hooks.exec]]</c>: a command run when keys under a prefix change.</summary>
public sealed record ExecHookOptions
{
    /// <summary>The name in logs, <c>/status</c> and <c>/metrics</c> (default <c>exec-N</c>).</summary>
    public required string Id { get; init; }

    /// <summary>The watched prefix.</summary>
    public required string Prefix { get; init; }

    /// <summary>The command, run with <c>/bin/sh -c</c> in a clean environment.</summary>
    public required string Command { get; init; }

    /// <summary>Per change or once per burst.</summary>
    public ExecHookMode Mode { get; init; } = ExecHookMode.Change;

    /// <summary>After this the command's process tree is killed and the run counts as failed.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Quiet period before running (<c>wait = "min:max"</c>); none by default.</summary>
    public ChangeWait Wait { get; init; } = ChangeWait.None;
}

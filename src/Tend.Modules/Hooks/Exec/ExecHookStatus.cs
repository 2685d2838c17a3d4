namespace Tend.Modules.Hooks.Exec;

/// <summary>What one exec hook has done, for <c>/status</c> and <c>/metrics</c>.</summary>
public sealed record ExecHookStatus
{
    /// <summary>The hook's id.</summary>
    public required string Id { get; init; }

    /// <summary>The watched prefix.</summary>
    public required string Prefix { get; init; }

    /// <summary>Per change or per burst.</summary>
    public ExecHookMode Mode { get; init; }

    /// <summary>Commands run.</summary>
    public long Runs { get; init; }

    /// <summary>Runs that failed (non-zero exit, timeout, could not start).</summary>
    public long Failures { get; init; }

    /// <summary>Runs the timeout killed (also counted in <see cref="Failures"/>).</summary>
    public long Timeouts { get; init; }

    /// <summary>Changes reported to the command.</summary>
    public long Changes { get; init; }

    /// <summary>When the command last ran.</summary>
    public DateTimeOffset? LastRun { get; init; }

    /// <summary>The last failure, <c>null</c> after a success.</summary>
    public string? LastError { get; init; }

    /// <summary>Store revision of the last change reported.</summary>
    public long Revision { get; init; }

    /// <summary>Changed keys waiting for the command.</summary>
    public int Pending { get; init; }
}

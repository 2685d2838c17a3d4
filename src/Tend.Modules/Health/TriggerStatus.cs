namespace Tend.Modules.Health;

/// <summary>One trigger key's runs, for <c>/status</c> and <c>/metrics</c>.</summary>
public sealed record TriggerStatus
{
    /// <summary>The trigger key.</summary>
    public required string Key { get; init; }

    /// <summary>The service.</summary>
    public required string Service { get; init; }

    /// <summary>The cluster role of the key.</summary>
    public required string Role { get; init; }

    /// <summary>The state of the key.</summary>
    public required string State { get; init; }

    /// <summary>Runs started.</summary>
    public long Runs { get; init; }

    /// <summary>Runs that failed (non-zero exit, timeout, could not start).</summary>
    public long Failures { get; init; }

    /// <summary>Runs killed by the timeout.</summary>
    public long Timeouts { get; init; }

    /// <summary>Firings not run because the key fired within the flap interval.</summary>
    public long Suppressed { get; init; }

    /// <summary>True while a run is in progress.</summary>
    public bool Running { get; init; }

    /// <summary>When the last run started.</summary>
    public DateTimeOffset? LastRun { get; init; }

    /// <summary>The last run's exit code.</summary>
    public int? LastExitCode { get; init; }

    /// <summary>The last failure, kept after a success.</summary>
    public string? LastError { get; init; }
}

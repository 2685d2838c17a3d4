namespace Tend.Modules.Hooks.Nagios;

/// <summary>What the Nagios generator has done, for <c>/status</c> and <c>/metrics</c>.</summary>
public sealed record NagiosStatus
{
    /// <summary>The generated host definitions file.</summary>
    public required string HostsFile { get; init; }

    /// <summary>Hosts in the last generation.</summary>
    public int Hosts { get; init; }

    /// <summary>Keys under the root that are not <c>ROOT/&lt;type&gt;/&lt;ordinal&gt;</c> (ignored).</summary>
    public int IgnoredKeys { get; init; }

    /// <summary>Store revision of the last generation.</summary>
    public long Revision { get; init; }

    /// <summary>When the files were last generated (written or found current).</summary>
    public DateTimeOffset? LastGenerate { get; init; }

    /// <summary>When new files were last installed.</summary>
    public DateTimeOffset? LastWrite { get; init; }

    /// <summary>Installations of new files.</summary>
    public long Writes { get; init; }

    /// <summary>Generations that failed (template, disk, or check).</summary>
    public long Failures { get; init; }

    /// <summary>Generations Nagios' check rejected (the previous files stayed).</summary>
    public long CheckFailures { get; init; }

    /// <summary>The last generation's error, <c>null</c> after a success.</summary>
    public string? LastError { get; init; }

    /// <summary>Reloads of Nagios.</summary>
    public long Reloads { get; init; }

    /// <summary>When Nagios was last reloaded.</summary>
    public DateTimeOffset? LastReload { get; init; }

    /// <summary>Reloads that failed.</summary>
    public long ReloadFailures { get; init; }

    /// <summary>The last reload error, <c>null</c> after a success.</summary>
    public string? LastReloadError { get; init; }

    /// <summary>known_hosts entries reset.</summary>
    public long SshResets { get; init; }

    /// <summary>known_hosts resets that failed (retried).</summary>
    public long SshFailures { get; init; }

    /// <summary>Hosts whose known_hosts reset is waiting (or being retried).</summary>
    public int SshPending { get; init; }

    /// <summary>True while a replace larger than one transaction is being applied: the generator waits for it to complete.</summary>
    public bool WaitingForReplace { get; init; }
}

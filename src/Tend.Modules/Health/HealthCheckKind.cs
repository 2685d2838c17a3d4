namespace Tend.Modules.Health;

/// <summary>What a health check looks at.</summary>
public enum HealthCheckKind
{
    /// <summary>A system service: <c>systemctl is-active</c>, or <c>service NAME status</c> without systemd.</summary>
    Service,

    /// <summary>A user's crontab exists (and contains a pattern).</summary>
    Crontab,

    /// <summary>Nagios <c>check_procs</c> (or the native <c>/proc</c> scan).</summary>
    Process,

    /// <summary>A shell command, read as a Nagios plugin.</summary>
    Command,

    /// <summary>A TCP connect.</summary>
    Tcp,

    /// <summary>An HTTP GET.</summary>
    Http,
}

namespace Tend.Modules.Health;

/// <summary>A node's place in its service's cluster (<c>cluster/ENV/SERVICE</c>).</summary>
public enum ClusterRole
{
    /// <summary>No cluster key: always expected running and healthy.</summary>
    Standalone,

    /// <summary>In the active list: expected running and healthy.</summary>
    Primary,

    /// <summary>In the standby list: stopped while a primary passes, running when none does.</summary>
    Secondary,
}

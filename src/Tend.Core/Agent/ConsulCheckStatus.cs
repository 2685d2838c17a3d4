namespace Tend.Core.Agent;

/// <summary>The status of a Consul health check.</summary>
public enum ConsulCheckStatus
{
    /// <summary><c>passing</c>.</summary>
    Passing,

    /// <summary><c>warning</c>.</summary>
    Warning,

    /// <summary><c>critical</c>.</summary>
    Critical,
}

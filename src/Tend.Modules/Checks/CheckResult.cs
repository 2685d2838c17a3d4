namespace Tend.Modules.Checks;

/// <summary>The outcome of one health check.</summary>
/// <param name="State">Passing, warning, critical or unknown.</param>
/// <param name="Output">What the check said (command output, HTTP status, connect error), for status and logs.</param>
/// <param name="Duration">How long it took.</param>
public sealed record CheckResult(CheckState State, string Output, TimeSpan Duration)
{
    /// <summary>A passing or critical result.</summary>
    public CheckResult(bool healthy, string output, TimeSpan duration)
        : this(healthy ? CheckState.Passing : CheckState.Critical, output, duration)
    {
    }

    /// <summary>True when the check passes (a warning is not healthy).</summary>
    public bool Healthy => State == CheckState.Passing;
}

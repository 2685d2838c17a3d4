namespace Tend.Modules.Checks;

/// <summary>Names and exit codes of <see cref="CheckState"/>.</summary>
public static class CheckStates
{
    /// <summary>The lower-case name used in keys, JSON and logs: <c>passing</c>, <c>warning</c>, <c>critical</c>, <c>unknown</c>.</summary>
    public static string Name(this CheckState state) => state switch
    {
        CheckState.Passing => "passing",
        CheckState.Warning => "warning",
        CheckState.Critical => "critical",
        _ => "unknown",
    };

    /// <summary>Parses a name written by <see cref="Name"/> (Consul's spelling); <c>null</c> for anything else.</summary>
    public static CheckState? Parse(string? name) => name switch
    {
        "passing" => CheckState.Passing,
        "warning" => CheckState.Warning,
        "critical" => CheckState.Critical,
        "unknown" => CheckState.Unknown,
        _ => null,
    };

    /// <summary>The state of a plugin's exit code: 0, 1, 2 and 3 as Nagios numbers them, any other code critical.</summary>
    public static CheckState FromExitCode(int code) => code switch
    {
        0 => CheckState.Passing,
        1 => CheckState.Warning,
        3 => CheckState.Unknown,
        _ => CheckState.Critical,
    };
}

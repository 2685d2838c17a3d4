namespace Tend.Core.Processes;

/// <summary>Signal names as consul-template writes them (<c>SIGHUP</c>, or <c>HUP</c>) and their Linux numbers.</summary>
public static class SignalNames
{
    private static readonly Dictionary<string, int> Numbers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["SIGHUP"] = 1,
        ["SIGINT"] = 2,
        ["SIGQUIT"] = 3,
        ["SIGKILL"] = 9,
        ["SIGUSR1"] = 10,
        ["SIGUSR2"] = 12,
        ["SIGALRM"] = 14,
        ["SIGTERM"] = 15,
        ["SIGCONT"] = 18,
        ["SIGSTOP"] = 19,
        ["SIGTSTP"] = 20,
        ["SIGTTIN"] = 21,
        ["SIGTTOU"] = 22,
        ["SIGWINCH"] = 28,
    };

    /// <summary>SIGTERM's number.</summary>
    public const int SigTerm = 15;

    /// <summary>SIGKILL's number.</summary>
    public const int SigKill = 9;

    /// <summary>The signal's number; false for a name this table does not know.</summary>
    public static bool TryParse(string name, out int number)
    {
        ArgumentNullException.ThrowIfNull(name);
        var key = name.Trim();
        return Numbers.TryGetValue(key.StartsWith("SIG", StringComparison.OrdinalIgnoreCase) ? key : "SIG" + key, out number);
    }

    /// <summary>The canonical name (<c>SIGHUP</c>) of <paramref name="name"/>, or null when unknown.</summary>
    public static string? Canonical(string name) =>
        TryParse(name, out var n) ? Numbers.First(p => p.Value == n).Key : null;

    /// <summary>The names accepted, for messages.</summary>
    public static string Known => string.Join(", ", Numbers.Keys);
}

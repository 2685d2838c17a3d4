namespace Tend.Cli;

/// <summary>Process exit codes, documented in <c>tend --help</c> and the README.</summary>
internal static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>A runtime failure: the store was unreachable, a key was missing, a resource failed.</summary>
    public const int Failure = 1;

    /// <summary>A usage or configuration error: bad flags, an invalid tend.toml.</summary>
    public const int Usage = 2;

    /// <summary><c>tend check</c>, <c>trigger</c> and <c>watch</c>: the check or trigger could not run (Nagios' "unknown").</summary>
    public const int Unknown = 3;
}

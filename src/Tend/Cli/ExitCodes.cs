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
}

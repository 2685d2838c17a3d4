namespace Tend.Core.Processes;

/// <summary>A command Tend runs: a shell command line, always with a timeout and a clean environment.</summary>
/// <param name="CommandLine">Run with <c>/bin/sh -c</c>.</param>
/// <param name="Timeout">After this the command's whole process tree is killed and the run counts as failed.</param>
public sealed record CommandSpec(string CommandLine, TimeSpan Timeout)
{
    /// <summary>Variables added to the clean environment (documented per module, e.g. <c>TEND_KEY</c>).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The working directory (default: <c>/</c>, so a command never depends on where Tend was started).</summary>
    public string WorkingDirectory { get; init; } = "/";

    /// <summary>Written to the command's stdin, which is then closed; <c>null</c>: stdin is empty.</summary>
    public string? StandardInput { get; init; }

    /// <summary>How much of stdout/stderr to keep (the rest is counted, not stored).</summary>
    public int MaxOutputChars { get; init; } = 64 * 1024;
}

namespace Tend.Modules.Render.Config;

/// <summary>
/// consul-template's exec mode: one child process Tend supervises. It starts after every template has
/// rendered once, gets <see cref="ReloadSignal"/> (after a random splay) whenever a render changed a file,
/// and Tend exits with its status.
/// </summary>
public sealed record RenderExecOptions
{
    /// <summary>The program and its arguments (a string is split into words as the shell would, without expanding anything).</summary>
    public required IReadOnlyList<string> Command { get; init; }

    /// <summary>The longest random delay before a reload signal (or restart), so a fleet does not reload at once.</summary>
    public TimeSpan Splay { get; init; }

    /// <summary>The signal sent after a re-render; <c>null</c>: stop the child and start a new one, as consul-template does.</summary>
    public string? ReloadSignal { get; init; }

    /// <summary>The signal that stops the child.</summary>
    public string KillSignal { get; init; } = "SIGTERM";

    /// <summary>How long the child may take to exit after the kill signal before it gets SIGKILL.</summary>
    public TimeSpan KillTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Start the child with only <see cref="Custom"/> in its environment, nothing inherited.</summary>
    public bool Pristine { get; init; }

    /// <summary>Extra variables, <c>NAME=value</c>, added last.</summary>
    public IReadOnlyList<string> Custom { get; init; } = [];

    /// <summary>When not empty, only inherited variables matching one of these patterns (<c>*</c> wildcards) are passed.</summary>
    public IReadOnlyList<string> Allowlist { get; init; } = [];

    /// <summary>Inherited variables matching one of these patterns are never passed (wins over the allowlist).</summary>
    public IReadOnlyList<string> Denylist { get; init; } = [];

    /// <summary>Where it was declared, for messages.</summary>
    public string Origin { get; init; } = string.Empty;
}

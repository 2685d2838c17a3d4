namespace Tend.Core.Config;

/// <summary>
/// Reads one module's top-level section of tend.toml (e.g. <c>[register]</c>). Modules live above
/// Core, so they plug their readers into <see cref="TendConfigLoader"/> instead of Core knowing them.
/// </summary>
public interface IModuleConfigReader
{
    /// <summary>The top-level key, e.g. <c>register</c>.</summary>
    string Section { get; }

    /// <summary>Reads and validates the section (call <see cref="TomlSection.RejectUnknownKeys"/>); returns the module's immutable options.</summary>
    /// <param name="section">The section.</param>
    /// <param name="baseDirectory">The config file's directory, for relative paths.</param>
    object Read(TomlSection section, string baseDirectory);
}

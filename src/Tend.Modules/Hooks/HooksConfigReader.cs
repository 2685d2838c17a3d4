using Tend.Core.Config;

namespace Tend.Modules.Hooks;

/// <summary>
/// Reads <c>[hooks]</c> from tend.toml. So far <c>[hooks.nagios]</c> defines the host inventory the
/// HTTP API (<c>/getall</c>, <c>/putall</c>) and <c>tend hosts</c> work on: <c>root</c>, <c>host_name</c>.
/// </summary>
public sealed class HooksConfigReader : IModuleConfigReader
{
    /// <inheritdoc />
    public string Section => "hooks";

    /// <inheritdoc />
    public object Read(TomlSection section, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(section);
        var options = new HostInventoryOptions();
        if (section.Table("nagios") is { } nagios)
        {
            options = options with
            {
                Root = nagios.String("root") ?? options.Root,
                HostName = nagios.String("host_name") ?? options.HostName,
            };
            try
            {
                _ = new HostInventory(options);
            }
            catch (ArgumentException ex)
            {
                throw nagios.Error(nagios.Has("host_name") ? "host_name" : "root", $"[hooks.nagios] {ex.Message}");
            }

            nagios.RejectUnknownKeys(["root", "host_name"]);
        }

        section.RejectUnknownKeys(["nagios"]);
        return options;
    }
}

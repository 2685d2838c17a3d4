using Tend.Core.Config;
using Tend.Modules.Hooks;
using Tend.Modules.Membership;
using Tend.Modules.Register;
using Tend.Modules.Render.Config;

namespace Tend.Hosting;

/// <summary>The module sections tend.toml may hold: every command and the daemon load the file with these.</summary>
internal static class ModuleReaders
{
    public static IReadOnlyCollection<IModuleConfigReader> All { get; } = [new RenderConfigReader(), new RegisterConfigReader(), new HooksConfigReader(), new Modules.Health.HealthConfigReader(), new MembershipConfigReader()];
}

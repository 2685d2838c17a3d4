using Tend.Core.Config;
using Tend.Modules.Hooks.Nagios;
using Tend.Modules.Hooks;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Modules.Tests.Hooks;

internal static class HookTestSupport
{
    /// <summary>Generator options for <paramref name="nagios"/>: files in its conf.d, its main config and lock file, no quiet period.</summary>
    public static NagiosOptions Options(NagiosInstance nagios, bool stagedCheck = true) => new()
    {
        HostsFile = Path.Combine(nagios.ConfD, "flex-hosts.cfg"),
        GroupsFile = Path.Combine(nagios.ConfD, "flex-groups.cfg"),
        MainConfig = nagios.MainConfig,
        CheckCommand = stagedCheck ? $"{nagios.Binary} -v {{{{.config}}}}" : $"{nagios.Binary} -v {nagios.MainConfig}",
        PidFile = nagios.PidFile,
        Wait = RenderWait.None,
    };

    public static async Task Eventually(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not within 60 s: {what}");
            await Task.Delay(50);
        }
    }
}

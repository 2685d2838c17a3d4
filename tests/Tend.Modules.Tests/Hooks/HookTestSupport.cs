using Tend.Core.Config;
using Tend.Modules.Hooks;
using Tend.Modules.Hooks.Nagios;
using Tend.Testing;
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
        Wait = ChangeWait.None,
    };

    public static Task Eventually(Func<bool> condition, string what) => Poll.UntilAsync(condition, TimeSpan.FromSeconds(60), what);
}

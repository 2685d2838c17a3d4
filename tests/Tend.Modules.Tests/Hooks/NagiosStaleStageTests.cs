using Tend.Core.Config;
using Tend.Core.Mirror;
using Tend.Core.Processes;
using Tend.Modules.Hooks;
using Tend.Modules.Hooks.Nagios;
using Tend.Modules.Tests.Render;
using Tend.Stores.Memory;
using Tend.Testing;
using Xunit;
using static Tend.Modules.Tests.Hooks.HookTestSupport;

namespace Tend.Modules.Tests.Hooks;

public sealed class NagiosStaleStageTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Start_StagedFilesOfAKilledRun_RemovedOperatorsFilesKept()
    {
        var hostsFile = _dir.File("conf.d/flex-hosts.cfg");
        var stale = _dir.File("conf.d/.flex-hosts.cfg.tend-0123456789", "define host {");
        var staleGroups = _dir.File("conf.d/.flex-groups.cfg.tend-abcdef0123", "define hostgroup {");
        var operators = _dir.File("conf.d/.flex-hosts.cfg.orig", "mine");
        await using var store = new MemoryKvStore();
        await store.PutAsync("/site/web/0", "up");
        await using var mirrors = new KvMirrorSet(store);
        await using var hooks = new HooksModule(mirrors, ShellCommandRunner.Instance);

        await hooks.ApplyAsync(new HooksOptions
        {
            Nagios = new NagiosOptions
            {
                HostsFile = hostsFile,
                GroupsFile = _dir.File("conf.d/flex-groups.cfg"),
                CheckCommand = string.Empty,
                ReloadCommand = "true",
                Wait = ChangeWait.None,
            },
        });
        await Eventually(() => hooks.Status.Nagios!.Writes == 1, "the first generation");

        Assert.False(File.Exists(stale));
        Assert.False(File.Exists(staleGroups));
        Assert.Equal("mine", File.ReadAllText(operators));
        Assert.Equal([".flex-hosts.cfg.orig", "flex-groups.cfg", "flex-hosts.cfg"], Directory.GetFiles(Path.GetDirectoryName(hostsFile)!).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }
}

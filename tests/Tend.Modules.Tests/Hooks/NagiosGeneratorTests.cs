using Tend.Core.Kv;
using Tend.Core.Mirror;
using Tend.Core.Processes;
using Tend.Modules.Hooks;
using Tend.Modules.Hooks.Inventory;
using Tend.Modules.Hooks.Nagios;
using Tend.Stores.Memory;
using Tend.Testing.Servers;
using Xunit;
using static Tend.Modules.Tests.Hooks.HookTestSupport;

namespace Tend.Modules.Tests.Hooks;

/// <summary>The Nagios generator against a real Nagios Core 4: its check, its daemon, its reload.</summary>
public sealed class NagiosGeneratorTests : IAsyncLifetime
{
    private NagiosInstance _nagios = null!;

    public Task InitializeAsync()
    {
        _nagios = NagiosInstance.Create();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _nagios.DisposeAsync();

    [Fact]
    public async Task Generate_HostsAndOddKeys_FilesPassNagios4CheckInTheRealMainConfig()
    {
        await using var store = new MemoryKvStore();
        await store.CommitAsync(new KvTransaction([],
        [
            KvOperation.Put("/site/web/800", "created"), KvOperation.Put("/site/web/801", "hbout"),
            KvOperation.Put("/site/papi/800", "created"), KvOperation.Put("/site/extapi/800", "created"),
            KvOperation.Put("/site/web", "too shallow"), KvOperation.Put("/site/web/800/extra", "too deep"),
        ]));
        await using var mirrors = new KvMirrorSet(store);
        await using var hooks = new HooksModule(mirrors, ShellCommandRunner.Instance);
        var options = Options(_nagios) with { ReloadCommand = "true", PidFile = NagiosOptions.DefaultPidFile, HostListFile = Path.Combine(_nagios.Directory, "hosts.txt") };

        await hooks.ApplyAsync(new HooksOptions { Nagios = options });
        await Eventually(() => hooks.Status.Nagios!.Reloads == 1, "the first generation is installed and reloaded");

        var (code, output) = await _nagios.VerifyAsync();
        Assert.True(code == 0, output);
        Assert.Contains("Checked 5 hosts.", output, StringComparison.Ordinal);
        Assert.Contains("Checked 4 host groups.", output, StringComparison.Ordinal);
        var status = hooks.Status.Nagios!;
        Assert.Equal((4, 2, 1L, 0L, (string?)null), (status.Hosts, status.IgnoredKeys, status.Writes, status.Failures, status.LastError));
        Assert.Equal("site-extapi-800\nsite-papi-800\nsite-web-800\nsite-web-801\n", File.ReadAllText(options.HostListFile!));
        Assert.Contains("members         site-web-800,site-web-801\n", File.ReadAllText(options.GroupsFile), StringComparison.Ordinal);
        Assert.Equal(["flex-groups.cfg", "flex-hosts.cfg"], Directory.GetFiles(_nagios.ConfD).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task Reload_NewHostPut_RunningNagiosLoadsIt()
    {
        await _nagios.StartAsync();
        await using var store = new MemoryKvStore();
        await store.PutAsync("/site/web/800", "created");
        await using var mirrors = new KvMirrorSet(store);
        await using var hooks = new HooksModule(mirrors, ShellCommandRunner.Instance);
        await hooks.ApplyAsync(new HooksOptions { Nagios = Options(_nagios) });
        await Eventually(() => _nagios.StatusHosts().Contains("site-web-800"), "Nagios loads the first host");

        await store.PutAsync("/site/papi/900", "created");

        await Eventually(() => _nagios.StatusHosts().Contains("site-papi-900") && hooks.Status.Nagios!.Reloads == 2, "Nagios loads the new host after the HUP");
        Assert.Equal(2, _nagios.HangUps());
        Assert.Null(hooks.Status.Nagios!.LastReloadError);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Check_GeneratedConfigInvalid_PreviousFilesStayAndNoHangUp(bool stagedCheck)
    {
        await _nagios.StartAsync();
        await using var store = new MemoryKvStore();
        await store.PutAsync("/site/web/1", "created");
        await using var mirrors = new KvMirrorSet(store);
        await using var hooks = new HooksModule(mirrors, ShellCommandRunner.Instance);
        var options = Options(_nagios, stagedCheck);
        await hooks.ApplyAsync(new HooksOptions { Nagios = options });
        await Eventually(() => _nagios.HangUps() == 1 && _nagios.StatusHosts().Contains("site-web-1"), "the first generation is loaded");
        var hostsBefore = File.ReadAllBytes(options.HostsFile);
        var groupsBefore = File.ReadAllBytes(options.GroupsFile);

        // A host of type "linux" makes a second hostgroup "linux": Nagios rejects the duplicate.
        await store.PutAsync("/site/linux/2", "created");
        await Eventually(() => hooks.Status.Nagios!.CheckFailures == 1, "the check rejects the new files");

        var status = hooks.Status.Nagios!;
        Assert.Contains("Duplicate definition found for hostgroup 'linux'", status.LastError, StringComparison.Ordinal);
        Assert.Equal(hostsBefore, File.ReadAllBytes(options.HostsFile));
        Assert.Equal(groupsBefore, File.ReadAllBytes(options.GroupsFile));
        Assert.Equal(["flex-groups.cfg", "flex-hosts.cfg"], Directory.GetFiles(_nagios.ConfD).Select(Path.GetFileName).Order());
        Assert.Equal(1, status.Reloads);
        Assert.Equal(1, _nagios.HangUps());
        Assert.DoesNotContain("site-linux-2", _nagios.StatusHosts());
        Assert.Equal(0, (await _nagios.VerifyAsync()).ExitCode);

        // Fixing the data heals it without a restart.
        await store.DeleteAsync("/site/linux/2");
        await store.PutAsync("/site/web/3", "created");
        await Eventually(() => _nagios.StatusHosts().Contains("site-web-3"), "the next good generation is loaded");
        Assert.Null(hooks.Status.Nagios!.LastError);
    }

    [Fact]
    public async Task Generate_ReplaceBeingApplied_WaitsThenWritesTheCompleteInventory()
    {
        await using var store = new MemoryKvStore();
        await store.PutAsync("/site/web/1", "up");
        await using var mirrors = new KvMirrorSet(store);
        await using var hooks = new HooksModule(mirrors, ShellCommandRunner.Instance);
        var options = Options(_nagios) with { ReloadCommand = "true", PidFile = NagiosOptions.DefaultPidFile };
        await hooks.ApplyAsync(new HooksOptions { Nagios = options });
        await Eventually(() => hooks.Status.Nagios!.Writes == 1, "the first inventory is written");

        // The first step of a journaled replace: the guard says applying, half the hosts are in.
        var applying = new InventoryGuard { State = "applying", Writer = "putall", Id = "0123456789abcdef", Parts = 1, Operations = 2, Applied = 1 };
        await store.CommitAsync(KvTransaction.Of(KvOperation.Put("/site", applying.ToJson()), KvOperation.Put("/site/web/2", "up")));
        await Eventually(() => hooks.Status.Nagios!.WaitingForReplace, "the generator waits for the replace");
        await Task.Delay(300);
        Assert.Equal(1, hooks.Status.Nagios!.Writes);
        Assert.DoesNotContain("site-web-2", File.ReadAllText(options.HostsFile), StringComparison.Ordinal);

        await store.CommitAsync(KvTransaction.Of(KvOperation.Put("/site/web/3", "up"), KvOperation.Put("/site", new InventoryGuard { Writer = "putall" }.ToJson())));

        await Eventually(() => hooks.Status.Nagios!.Writes == 2, "the complete inventory is written");
        var text = File.ReadAllText(options.HostsFile);
        Assert.Contains("host_name  site-web-2\n", text, StringComparison.Ordinal);
        Assert.Contains("host_name  site-web-3\n", text, StringComparison.Ordinal);
        Assert.False(hooks.Status.Nagios!.WaitingForReplace);
        Assert.Equal(0, hooks.Status.Nagios!.IgnoredKeys);
    }

    [Fact]
    public async Task Burst_ManyPutsInTheQuietPeriod_FilesEndWithEveryHost()
    {
        await using var store = new MemoryKvStore();
        await using var mirrors = new KvMirrorSet(store);
        await using var hooks = new HooksModule(mirrors, ShellCommandRunner.Instance);
        var options = Options(_nagios) with { ReloadCommand = "true", PidFile = NagiosOptions.DefaultPidFile, Wait = new(TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(10)) };
        await hooks.ApplyAsync(new HooksOptions { Nagios = options });
        await Eventually(() => hooks.Status.Nagios!.Writes == 1, "the empty inventory is written");

        for (int i = 0; i < 40; i++)
        {
            await store.PutAsync($"/site/web/{i}", "created");
        }

        await Eventually(() => File.ReadAllText(options.HostsFile).Contains("host_name  site-web-39\n", StringComparison.Ordinal), "the last host is in the installed files");
        var text = File.ReadAllText(options.HostsFile);
        Assert.All(Enumerable.Range(0, 40), i => Assert.Contains($"host_name  site-web-{i}\n", text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reload_NagiosNotRunning_FailureCountedAndRetriedUntilItRuns()
    {
        await using var store = new MemoryKvStore();
        await store.PutAsync("/site/web/1", "created");
        await using var mirrors = new KvMirrorSet(store);
        await using var hooks = new HooksModule(mirrors, ShellCommandRunner.Instance);
        await hooks.ApplyAsync(new HooksOptions { Nagios = Options(_nagios) });
        await Eventually(() => hooks.Status.Nagios!.ReloadFailures >= 1, "the reload fails: no daemon");
        Assert.Contains("pid_file", hooks.Status.Nagios!.LastReloadError, StringComparison.Ordinal);
        Assert.Equal(1, hooks.Status.Nagios!.Writes);

        await _nagios.StartAsync();

        // The files were installed before the daemon started; the retried reload keeps the promise anyway.
        await Eventually(() => hooks.Status.Nagios!.Reloads == 1, "the retried reload reaches the daemon");
        Assert.Null(hooks.Status.Nagios!.LastReloadError);
        Assert.Contains("site-web-1", _nagios.StatusHosts());
    }
}

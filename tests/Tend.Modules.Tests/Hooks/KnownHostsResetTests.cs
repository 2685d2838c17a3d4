using System.Globalization;
using Tend.Core.Kv;
using Tend.Core.Mirror;
using Tend.Core.Processes;
using Tend.Modules.Hooks;
using Tend.Modules.Hooks.Nagios;
using Tend.Modules.Tests.Render;
using Tend.Stores.Memory;
using Tend.Testing;
using Tend.Testing.Servers;
using Xunit;
using static Tend.Modules.Tests.Hooks.HookTestSupport;

namespace Tend.Modules.Tests.Hooks;

/// <summary>The known_hosts reset against a real sshd on loopback, whose host key is replaced as a rebuilt machine's would be.</summary>
public sealed class KnownHostsResetTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private SshServer _sshd = null!;

    public async Task InitializeAsync() => _sshd = await SshServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _sshd.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task SshReset_HostAddedThenRebuilt_EntryReplacedOnlyForDeltas()
    {
        var knownHosts = _dir.File("nagios-home/.ssh/known_hosts");
        var nagios = KnownHostsResetter.Account("nagios") ?? throw new InvalidOperationException("the nagios user (package nagios4-core) is missing");
        await using var store = new MemoryKvStore();
        await store.PutAsync("/site/web/0", "created");
        await using var mirrors = new KvMirrorSet(store);
        await using var hooks = new HooksModule(mirrors, ShellCommandRunner.Instance);
        var options = new NagiosOptions
        {
            HostsFile = _dir.File("conf.d/flex-hosts.cfg"),
            GroupsFile = _dir.File("conf.d/flex-groups.cfg"),
            CheckCommand = string.Empty,
            ReloadCommand = "true",
            Address = "127.0.0.1",
            SshReset = true,
            SshUser = "nagios",
            SshPort = _sshd.Port,
            KnownHosts = knownHosts,
            Wait = Tend.Core.Config.ChangeWait.None,
        };
        await hooks.ApplyAsync(new HooksOptions { Nagios = options });
        await Eventually(() => hooks.Status.Nagios!.Writes == 1, "the first generation");

        // Hosts present at start-up are not rescanned (a restart must not touch every entry).
        Assert.Equal(0, hooks.Status.Nagios!.SshResets);
        Assert.False(File.Exists(knownHosts));

        var entry = $"[127.0.0.1]:{_sshd.Port.ToString(CultureInfo.InvariantCulture)}";
        var first = _sshd.HostKey;
        await store.PutAsync("/site/web/1", "created");
        await Eventually(() => hooks.Status.Nagios!.SshResets == 1, "the new host's key is scanned");
        Assert.Equal([$"{entry} {first}"], Entries(knownHosts));
        Assert.Equal((nagios.Uid, nagios.Gid), Tend.Core.Files.AtomicFile.Owner(knownHosts));

        // The machine is rebuilt with a new host key and comes back with a new state.
        await _sshd.ReplaceHostKeyAsync();
        var second = _sshd.HostKey;
        Assert.NotEqual(first, second);
        await store.PutAsync("/site/web/1", "rebuilt");
        await Eventually(() => hooks.Status.Nagios!.SshResets == 2, "the changed host's key is reset");
        Assert.Equal([$"{entry} {second}"], Entries(knownHosts));
        Assert.Equal((nagios.Uid, nagios.Gid), Tend.Core.Files.AtomicFile.Owner(knownHosts));

        // Setting the same state again is no delta: nothing is reset. (The ignored key makes a pass to wait for.)
        await store.PutAsync("/site/web/1", "rebuilt");
        await store.PutAsync("/site/web/1/too/deep", "x");
        await Eventually(() => hooks.Status.Nagios!.IgnoredKeys == 1, "the next pass");
        Assert.Equal(2, hooks.Status.Nagios!.SshResets);
        Assert.Equal(0, hooks.Status.Nagios!.SshFailures);
    }

    [Fact]
    public async Task SshReset_HostNotUp_FailureCountedAndRetriedUntilItAnswers()
    {
        var knownHosts = _dir.File("kh/known_hosts");
        await _sshd.DisposeAsync();
        await using var store = new MemoryKvStore();
        await using var mirrors = new KvMirrorSet(store);
        await using var hooks = new HooksModule(mirrors, ShellCommandRunner.Instance);
        var options = new NagiosOptions
        {
            HostsFile = _dir.File("conf.d/flex-hosts.cfg"),
            GroupsFile = _dir.File("conf.d/flex-groups.cfg"),
            CheckCommand = string.Empty,
            ReloadCommand = "true",
            Address = "127.0.0.1",
            SshReset = true,
            SshUser = "root",
            SshPort = _sshd.Port,
            KnownHosts = knownHosts,
            Wait = Tend.Core.Config.ChangeWait.None,
        };
        await hooks.ApplyAsync(new HooksOptions { Nagios = options });
        await Eventually(() => hooks.Status.Nagios!.Writes == 1, "the first generation");

        await store.PutAsync("/site/web/1", "created");
        await Eventually(() => hooks.Status.Nagios!.SshFailures >= 1, "the scan fails: sshd is down");
        Assert.Equal(1, hooks.Status.Nagios!.SshPending);
        Assert.Equal(2, hooks.Status.Nagios!.Reloads);

        _sshd = await SshServer.StartAsync(_sshd.Port);
        await Eventually(() => hooks.Status.Nagios!.SshResets == 1, "the retry scans the key");
        Assert.Equal([$"[127.0.0.1]:{_sshd.Port.ToString(CultureInfo.InvariantCulture)} {_sshd.HostKey}"], Entries(knownHosts));
        Assert.Equal(0, hooks.Status.Nagios!.SshPending);
    }

    private static List<string> Entries(string knownHosts) =>
        [.. File.ReadAllLines(knownHosts).Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => string.Join(' ', l.Split(' ').Take(3)))];
}

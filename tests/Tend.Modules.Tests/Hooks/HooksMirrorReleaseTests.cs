using Tend.Core.Mirror;
using Tend.Core.Processes;
using Tend.Modules.Hooks;
using Tend.Modules.Hooks.Exec;
using Tend.Modules.Hooks.Inventory;
using Tend.Stores.Memory;
using Tend.Testing.Servers;
using Xunit;
using static Tend.Modules.Tests.Hooks.HookTestSupport;

namespace Tend.Modules.Tests.Hooks;

/// <summary>Hooks lease the mirrors they read: a prefix a reload no longer reads stops being watched once the set's linger time passes.</summary>
public sealed class HooksMirrorReleaseTests : IAsyncLifetime
{
    private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(50);
    private NagiosInstance _nagios = null!;

    public Task InitializeAsync()
    {
        _nagios = NagiosInstance.Create();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _nagios.DisposeAsync();

    [Fact]
    public async Task ApplyAsync_ExecHookPrefixDropped_ItsMirrorStopsAndTheKeptOneWatches()
    {
        await using var store = new MemoryKvStore();
        await using var mirrors = new KvMirrorSet(store) { Linger = Linger };
        await using var hooks = new HooksModule(mirrors, ShellCommandRunner.Instance);
        await hooks.ApplyAsync(new HooksOptions { Exec = [Hook("a", "/a"), Hook("b", "/b")] });
        var mirrorOfA = mirrors.Mirrors.Single(m => m.Prefix == "/a");
        var mirrorOfB = mirrors.Mirrors.Single(m => m.Prefix == "/b");

        await hooks.ApplyAsync(new HooksOptions { Exec = [Hook("a", "/a")] });

        await Eventually(() => mirrorOfB.State == KvMirrorState.Stopped, "the dropped prefix's mirror stops");
        Assert.Same(mirrorOfA, Assert.Single(mirrors.Mirrors));
        Assert.NotEqual(KvMirrorState.Stopped, mirrorOfA.State);
    }

    [Fact]
    public async Task ApplyAsync_NagiosRootMoved_TheOldRootStopsBeingWatched()
    {
        await using var store = new MemoryKvStore();
        await store.PutAsync("/site/web/1", "created");
        await using var mirrors = new KvMirrorSet(store) { Linger = Linger };
        await using var hooks = new HooksModule(mirrors, ShellCommandRunner.Instance);
        var nagios = Options(_nagios) with { ReloadCommand = "true" };
        await hooks.ApplyAsync(new HooksOptions { Nagios = nagios });
        var site = mirrors.Mirrors.Single(m => m.Prefix == "/site");

        await hooks.ApplyAsync(new HooksOptions { Nagios = nagios, Inventory = new HostInventoryOptions { Root = "/fleet" } });

        await Eventually(() => site.State == KvMirrorState.Stopped, "the old root's mirror stops");
        Assert.Equal("/fleet", Assert.Single(mirrors.Mirrors).Prefix);
    }

    [Fact]
    public async Task DisposeAsync_HooksRunning_EveryMirrorTheyReadStops()
    {
        await using var store = new MemoryKvStore();
        await using var mirrors = new KvMirrorSet(store) { Linger = Linger };
        var hooks = new HooksModule(mirrors, ShellCommandRunner.Instance);
        await hooks.ApplyAsync(new HooksOptions { Exec = [Hook("a", "/a"), Hook("a2", "/a"), Hook("b", "/b")] });
        var watched = mirrors.Mirrors.ToList();

        await hooks.DisposeAsync();

        await Eventually(() => mirrors.Mirrors.Count == 0, "no mirror is left");
        Assert.All(watched, m => Assert.Equal(KvMirrorState.Stopped, m.State));
    }

    private static ExecHookOptions Hook(string id, string prefix) => new() { Id = id, Prefix = prefix, Command = "true" };
}

using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Tend.Core.Config;
using Tend.Core.Mirror;
using Tend.Core.Processes;
using Tend.Daemon;
using Tend.Hosting;
using Tend.Modules.Hooks;
using Tend.Modules.Hooks.Inventory;
using Tend.Modules.Membership;
using Tend.Stores.Memory;
using Tend.Testing;
using Xunit;

namespace Tend.Cli.Tests.Daemon;

/// <summary>The one module lifecycle: every module validates before any applies, and the inventory endpoints' mirror is leased.</summary>
public sealed class DaemonLifecycleTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task ReconfigureAsync_ALaterModulesSectionCannotRun_RejectedBeforeRenderChanged()
    {
        File.WriteAllText(_dir.File("app.tmpl"), "{{getv \"/app/x\" \"none\"}}\n");
        var first = Load("first.toml", "first.out");
        var second = Load("second.toml", "second.out");

        // Membership is applied after render: a section its own check refuses must still stop the whole reload.
        var membership = new MembershipOptions { Inventory = MembershipInventoryKind.Static, Members = [new StaticMember("solo", "127.0.0.1")], EnvironmentFile = " " };
        second = second with { Modules = new Dictionary<string, object>(second.Modules) { ["membership"] = membership } };
        await using var runtime = await DaemonRuntime.StartAsync(first, NullLoggerFactory.Instance, CancellationToken.None, new MemoryKvStore());

        var ex = await Assert.ThrowsAsync<ConfigException>(() => runtime.ReconfigureAsync(second, CancellationToken.None));

        Assert.Contains("environment file is not set", ex.Message, StringComparison.Ordinal);
        Assert.Same(first, runtime.Config);
        var render = Status(runtime).GetProperty("render");
        Assert.Equal(_dir.File("first.out"), Assert.Single(render.EnumerateArray()).GetProperty("dest").GetString());
        Assert.False(Status(runtime).TryGetProperty("membership", out _));
    }

    [Fact]
    public async Task InventoryMirror_RootMovedByAReload_TheOldRootStopsBeingWatched()
    {
        await using var store = new MemoryKvStore();
        await using var mirrors = new KvMirrorSet(store) { Linger = TimeSpan.FromMilliseconds(50) };
        await using var host = new InventoryMirrorHost(new DaemonModuleContext(store, mirrors, NullLoggerFactory.Instance, ShellCommandRunner.Instance));
        await ApplyAsync(host, Load("site.toml", "site.out"));
        var site = host.Mirror("/site");
        Assert.NotNull(site);
        Assert.Same(site, host.Mirror("/site"));
        Assert.Null(host.Mirror("/fleet"));

        var fleetConfig = Load("fleet.toml", "fleet.out");
        var hooks = new HooksOptions { Inventory = new HostInventoryOptions { Root = "/fleet" } };
        await ApplyAsync(host, fleetConfig with { Modules = new Dictionary<string, object>(fleetConfig.Modules) { ["hooks"] = hooks } });

        await Poll.UntilAsync(() => site.State == KvMirrorState.Stopped, TimeSpan.FromSeconds(15), "the old root's mirror stops");
        Assert.Empty(mirrors.Mirrors);
        Assert.Null(host.Mirror("/site"));
        var fleet = host.Mirror("/fleet");
        Assert.Equal("/fleet", fleet?.Prefix);

        await host.DisposeAsync();
        await Poll.UntilAsync(() => fleet!.State == KvMirrorState.Stopped, TimeSpan.FromSeconds(15), "the root's mirror stops with the runtime");
    }

    private static async Task ApplyAsync(IDaemonModule module, TendConfig config)
    {
        await using var change = await module.ValidateAsync(config);
        await change.ApplyAsync();
    }

    private static JsonElement Status(DaemonRuntime runtime)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            foreach (var module in runtime.Modules)
            {
                module.WriteStatus(json);
            }

            json.WriteEndObject();
        }

        return JsonDocument.Parse(stream.ToArray()).RootElement.Clone();
    }

    private TendConfig Load(string name, string output)
    {
        var path = _dir.File(name);
        File.WriteAllText(path, $"""
            [store]
            kind = "memory"

            [[render.template]]
            src = "app.tmpl"
            dest = "{_dir.File(output)}"
            keys = ["/app"]
            """);
        return TendConfigLoader.Load(path, ModuleReaders.All);
    }
}

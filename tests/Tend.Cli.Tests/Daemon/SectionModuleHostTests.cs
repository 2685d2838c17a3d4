using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Tend.Core.Config;
using Tend.Core.Mirror;
using Tend.Core.Processes;
using Tend.Hosting;
using Tend.Modules.Hooks;
using Tend.Stores.Memory;
using Xunit;

namespace Tend.Cli.Tests.Daemon;

/// <summary>
/// The shared module host: a failed first apply leaves nothing running (the module it created is disposed, the next
/// apply starts afresh); a failed reconfiguration leaves the running module as it was.
/// </summary>
public sealed class SectionModuleHostTests
{
    [Fact]
    public async Task ApplyAsync_FirstApplyFails_CreatedModuleDisposedAndNoneRuns()
    {
        await using var host = new ScriptedHost();

        await Assert.ThrowsAsync<ConfigException>(() => ApplyAsync(host, Config(new ScriptedOptions("bad", Fails: true))));

        var created = Assert.Single(host.Created);
        Assert.True(created.Disposed);
        Assert.Null(host.Running);
    }

    [Fact]
    public async Task ApplyAsync_GoodConfigAfterAFailedFirstApply_StartsAFreshModule()
    {
        await using var host = new ScriptedHost();
        await Assert.ThrowsAsync<ConfigException>(() => ApplyAsync(host, Config(new ScriptedOptions("bad", Fails: true))));

        await ApplyAsync(host, Config(new ScriptedOptions("good")));

        Assert.Equal(2, host.Created.Count);
        Assert.Same(host.Created[1], host.Running);
        Assert.Equal(["good"], host.Created[1].Applied);
        Assert.False(host.Created[1].Disposed);
    }

    [Fact]
    public async Task ApplyAsync_ReloadFails_RunningModuleKeepsItsOptions()
    {
        await using var host = new ScriptedHost();
        await ApplyAsync(host, Config(new ScriptedOptions("first")));

        await Assert.ThrowsAsync<ConfigException>(() => ApplyAsync(host, Config(new ScriptedOptions("bad", Fails: true))));

        var running = Assert.Single(host.Created);
        Assert.Same(running, host.Running);
        Assert.False(running.Disposed);
        Assert.Equal(["first"], running.Applied);
    }

    [Fact]
    public async Task ApplyAsync_SectionRemoved_ModuleStops()
    {
        await using var host = new ScriptedHost();
        await ApplyAsync(host, Config(new ScriptedOptions("first")));

        await ApplyAsync(host, new TendConfig());

        Assert.True(Assert.Single(host.Created).Disposed);
        Assert.Null(host.Running);
    }

    [Fact]
    public async Task HooksHost_NoSectionButPutallServed_RunsUntilTheTokenGoes()
    {
        await using var store = new MemoryKvStore();
        await using var mirrors = new KvMirrorSet(store);
        await using var host = new HooksModuleHost(new DaemonModuleContext(store, mirrors, NullLoggerFactory.Instance, ShellCommandRunner.Instance));
        var serving = new TendConfig { Http = new HttpOptions { Listen = "127.0.0.1:0", Token = "0123456789abcdef0123456789" } };

        await ApplyAsync(host, serving);
        Assert.True(Status(host).TryGetProperty("hooks", out _));

        await ApplyAsync(host, serving with { Http = serving.Http with { Token = null } });
        Assert.False(Status(host).TryGetProperty("hooks", out _));
    }

    [Fact]
    public async Task HooksHost_FirstApplyFails_NothingRuns()
    {
        await using var store = new MemoryKvStore();
        await using var mirrors = new KvMirrorSet(store);
        await using var host = new HooksModuleHost(new DaemonModuleContext(store, mirrors, NullLoggerFactory.Instance, ShellCommandRunner.Instance));
        var serving = new TendConfig { Http = new HttpOptions { Listen = "127.0.0.1:0", Token = "0123456789abcdef0123456789" } };
        await using var change = await host.ValidateAsync(serving);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => change.ApplyAsync(new CancellationToken(canceled: true)));

        Assert.False(Status(host).TryGetProperty("hooks", out _));
    }

    private static TendConfig Config(ScriptedOptions options) => new TendConfig().WithModule("scripted", options);

    private static async Task ApplyAsync(IDaemonModule module, TendConfig config)
    {
        await using var change = await module.ValidateAsync(config);
        await change.ApplyAsync();
    }

    private static JsonElement Status(IDaemonModule module)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            module.WriteStatus(json);
            json.WriteEndObject();
        }

        return JsonDocument.Parse(stream.ToArray()).RootElement.Clone();
    }

    private sealed record ScriptedOptions(string Name, bool Fails = false);

    private sealed class ScriptedModule : IAsyncDisposable
    {
        public List<string> Applied { get; } = [];

        public bool Disposed { get; private set; }

        public ValueTask DisposeAsync()
        {
            Disposed = true;
            return ValueTask.CompletedTask;
        }
    }

    private sealed class ScriptedHost() : SectionModuleHost<ScriptedModule, ScriptedOptions>("scripted")
    {
        public List<ScriptedModule> Created { get; } = [];

        public ScriptedModule? Running => Module;

        public override void WriteStatus(Utf8JsonWriter json)
        {
        }

        public override void WriteMetrics(MetricsWriter metrics)
        {
        }

        protected override ScriptedModule Create()
        {
            var module = new ScriptedModule();
            Created.Add(module);
            return module;
        }

        protected override Task ApplyAsync(ScriptedModule module, ScriptedOptions options, CancellationToken cancellationToken)
        {
            // As the modules do: a refused configuration changes nothing.
            if (options.Fails)
            {
                throw new ConfigException($"scripted: {options.Name} is refused");
            }

            module.Applied.Add(options.Name);
            return Task.CompletedTask;
        }
    }
}

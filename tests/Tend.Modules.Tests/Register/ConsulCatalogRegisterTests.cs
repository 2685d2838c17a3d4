using Tend.Core.Agent;
using Tend.Core.Config;
using Tend.Core.Kv;
using Tend.Modules.Register;
using Tend.Stores.Consul;
using Tend.Stores.Memory;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Modules.Tests.Register;

/// <summary><c>catalog = true</c>: the service in a real Consul agent's catalog, its TTL check following Tend's checks.</summary>
public sealed class ConsulCatalogRegisterTests(ConsulServer consul) : IClassFixture<ConsulServer>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tend-catalog-").FullName;
    private readonly string _name = "svc" + Guid.NewGuid().ToString("N")[..8];

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [SkippableFact]
    public async Task Apply_CatalogService_CheckFollowsResultsAndStopDeregisters()
    {
        consul.SkipIfUnavailable();
        var toggle = Path.Combine(_dir, "healthy");
        File.WriteAllText(toggle, string.Empty);
        await using var store = new ConsulKvStore(new KvStoreOptions { Kind = KvStoreKinds.Consul, Endpoints = [consul.HttpUrl] });
        var agent = store.FindConsulAgent()!;
        var module = new RegisterModule(store);
        await module.ApplyAsync(Options(Service($"test -f {toggle}") with { Tags = ["blue"], Data = [new("zone", System.Text.Json.Nodes.JsonValue.Create("eu"))] }));

        var passing = await WaitForAsync(agent, i => i.AggregatedStatus == ConsulCheckStatus.Passing);
        Assert.Equal(8080, passing.Port);
        Assert.Equal(["blue"], passing.Tags);
        Assert.Equal("eu", passing.Meta["zone"]);
        Assert.NotNull(await store.GetAsync($"/services/{_name}/h1:8080"));
        Assert.Contains(module.Status, s => s.Catalog == true);

        File.Delete(toggle);
        await WaitForAsync(agent, i => i.AggregatedStatus == ConsulCheckStatus.Critical);
        Assert.Empty(await agent.GetServiceHealthAsync(_name, passingOnly: true));

        await module.DisposeAsync();
        Assert.Empty(await agent.GetServiceHealthAsync(_name));
    }

    [SkippableFact]
    public async Task Apply_FailingBelowFall_Warning()
    {
        consul.SkipIfUnavailable();
        var toggle = Path.Combine(_dir, "healthy");
        File.WriteAllText(toggle, string.Empty);
        await using var store = new ConsulKvStore(new KvStoreOptions { Kind = KvStoreKinds.Consul, Endpoints = [consul.HttpUrl] });
        var agent = store.FindConsulAgent()!;
        await using var module = new RegisterModule(store);
        await module.ApplyAsync(Options(Service($"test -f {toggle}") with { Fall = 100, Refresh = TimeSpan.FromMilliseconds(100) }));
        await WaitForAsync(agent, i => i.AggregatedStatus == ConsulCheckStatus.Passing);

        File.Delete(toggle);

        await WaitForAsync(agent, i => i.AggregatedStatus == ConsulCheckStatus.Warning);
        Assert.NotNull(await store.GetAsync($"/services/{_name}/h1:8080"));
    }

    [SkippableFact]
    public async Task Apply_AgentForgetsTheService_RegisteredAgain()
    {
        consul.SkipIfUnavailable();
        await using var store = new ConsulKvStore(new KvStoreOptions { Kind = KvStoreKinds.Consul, Endpoints = [consul.HttpUrl] });
        var agent = store.FindConsulAgent()!;
        await using var module = new RegisterModule(store);
        await module.ApplyAsync(Options(Service("true")), CancellationToken.None);
        await WaitForAsync(agent, i => i.AggregatedStatus == ConsulCheckStatus.Passing);

        await agent.DeregisterServiceAsync("tend-" + _name);

        await WaitForAsync(agent, i => i.AggregatedStatus == ConsulCheckStatus.Passing);
    }

    [Fact]
    public async Task Apply_CatalogOnAStoreWithoutOne_RefusedNamingTheService()
    {
        await using var store = new MemoryKvStore();
        await using var module = new RegisterModule(store);

        var ex = await Assert.ThrowsAsync<ConfigException>(() => module.ApplyAsync(Options(Service("true"))));

        Assert.Contains(_name, ex.Message, StringComparison.Ordinal);
        Assert.Contains("catalog = true needs the Consul store", ex.Message, StringComparison.Ordinal);
        Assert.Empty(module.Status);
    }

    [Fact]
    public void Read_CatalogAndTags_FromTomlAndZkWatcherIni()
    {
        var ini = ZkWatcherConfigLoader.Parse("z.cfg", "[web]\ncmd: true\nservice_port: 80\nzookeeper_path: /s/web\ncatalog: yes\ntags: a, b\n");
        Assert.True(ini.Services[0].Catalog);
        Assert.Equal(["a", "b"], ini.Services[0].Tags);

        var toml = TendConfigLoader.Parse("t.toml", "[[register.service]]\nname = \"web\"\ncmd = \"true\"\nservice_port = 80\nzookeeper_path = \"/s/web\"\ncatalog = true\ntags = [\"x\"]\n", [new RegisterConfigReader()]);
        var service = toml.Module<RegisterOptions>("register")!.Services[0];
        Assert.True(service.Catalog);
        Assert.Equal(["x"], service.Tags);

        var bad = Assert.Throws<ConfigException>(() => ZkWatcherConfigLoader.Parse("z.cfg", "[web]\ncmd: true\nservice_port: 80\nzookeeper_path: /s/web\ncatalog: maybe\n"));
        Assert.Contains("z.cfg", bad.Message, StringComparison.Ordinal);
    }

    private static RegisterOptions Options(params RegisterServiceOptions[] services) => new() { Services = services, Ttl = TimeSpan.FromSeconds(10) };

    private RegisterServiceOptions Service(string cmd) => new()
    {
        Name = _name,
        Command = cmd,
        Port = 8080,
        Path = "/services/" + _name,
        Hostname = "h1",
        Refresh = TimeSpan.FromMilliseconds(100),
        Timeout = TimeSpan.FromSeconds(5),
        Catalog = true,
    };

    private async Task<ConsulServiceInstance> WaitForAsync(IConsulAgent agent, Func<ConsulServiceInstance, bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var instances = await agent.GetServiceHealthAsync(_name);
            var match = instances.FirstOrDefault(condition);
            if (match is not null)
            {
                return match;
            }

            Assert.True(DateTime.UtcNow < deadline, $"no instance of {_name} reached the state; have: {string.Join(", ", instances.Select(i => i.AggregatedStatus))}");
            await Task.Delay(50);
        }
    }
}

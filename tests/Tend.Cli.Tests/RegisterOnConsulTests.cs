using Tend.Core.Agent;
using Tend.Core.Kv;
using Tend.Stores.Consul;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Cli.Tests;

/// <summary><c>tend register --store consul</c>: entries held by sessions, and <c>catalog = true</c>, on a real agent.</summary>
public sealed class RegisterOnConsulTests(ConsulServer consul) : RegisterIntegrationTests, IClassFixture<ConsulServer>
{
    protected override string[] StoreArgs => ["--store", "consul", "--endpoint", consul.HttpUrl];

    // Consul's shortest session TTL is 10 s, and it invalidates a session up to twice the TTL after the last renewal.
    protected override (string Ttl, TimeSpan Outlives) KillTtl => ("10s", TimeSpan.FromSeconds(30));

    protected override IKvStore Observer() => new ConsulKvStore(new KvStoreOptions { Kind = KvStoreKinds.Consul, Endpoints = [consul.HttpUrl] });

    protected override Task RestartServerAsync() => consul.RestartAsync();

    protected override void SkipUnlessAvailable() => consul.SkipIfUnavailable();

    [SkippableFact]
    public async Task StoppedPastTheTtl_SessionExpiresEntryGone_BackOnResume()
    {
        var ini = Write("config.cfg", $"[web]\ncmd = true\nrefresh = 0.5\nservice_port = 80\nzookeeper_path = {Root}/stop\nservice_hostname = h1\n");
        await using var agent = Start(ini, "--ttl", "10s");
        await using var observer = Observer();
        var key = $"{Root}/stop/h1:80";
        await WaitFor(observer, key, present: true, agent);

        await agent.SignalAsync("STOP");
        try
        {
            await WaitFor(observer, key, present: false, agent, TimeSpan.FromSeconds(40));
        }
        finally
        {
            await agent.SignalAsync("CONT");
        }

        await WaitFor(observer, key, present: true, agent, TimeSpan.FromSeconds(30));
    }

    [SkippableFact]
    public async Task CatalogTrue_ServiceInTheAgentsCatalogFollowingTheCheck()
    {
        var toggle = Write("healthy", string.Empty);
        var name = "web" + Root[3..];
        var ini = Write("config.cfg", $"[{name}]\ncmd = test -f {toggle}\nrefresh = 0.2\nservice_port = 8080\nzookeeper_path = {Root}/cat\nservice_hostname = h1\ncatalog = true\ntags = blue\n");
        await using var agent = Start(ini);
        await using var observer = new ConsulKvStore(new KvStoreOptions { Kind = KvStoreKinds.Consul, Endpoints = [consul.HttpUrl] });
        var catalog = observer.Agent;

        await WaitForStatusAsync(catalog, name, ConsulCheckStatus.Passing, agent);
        await WaitFor(observer, $"{Root}/cat/h1:8080", present: true, agent);

        File.Delete(toggle);
        await WaitForStatusAsync(catalog, name, ConsulCheckStatus.Critical, agent);

        await agent.SignalAsync("TERM");
        Assert.Equal(0, await agent.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Empty(await catalog.GetServiceHealthAsync(name));
    }

    private static async Task WaitForStatusAsync(IConsulAgent catalog, string name, ConsulCheckStatus status, TendProcess agent)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!(await catalog.GetServiceHealthAsync(name)).Any(i => i.AggregatedStatus == status))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{name} never became {status}.\n{agent.StdErr}");
            }

            await Task.Delay(50);
        }
    }
}

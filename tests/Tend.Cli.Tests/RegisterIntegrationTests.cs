using Tend.Core.Kv;
using Tend.Stores.Etcd;
using Tend.Stores.ZooKeeper;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Cli.Tests;

/// <summary>
/// <c>tend register</c> as an operator runs it, against the real servers: the entries are observed
/// by a second, independent client, as the consumers of the registrations would see them.
/// </summary>
public abstract class RegisterIntegrationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tend-register-it-").FullName;

    protected string Root { get; } = "/it" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>The store arguments of <c>tend register</c>.</summary>
    protected abstract string[] StoreArgs { get; }

    /// <summary>A second client on the same store.</summary>
    protected abstract IKvStore Observer();

    /// <summary>Restarts the server (same data); entries of live agents must come back.</summary>
    protected abstract Task RestartServerAsync();

    /// <summary>The <c>--ttl</c> of the killed-agent test, and how long the entry may outlive the agent.</summary>
    protected virtual (string Ttl, TimeSpan Outlives) KillTtl => ("3s", TimeSpan.FromSeconds(15));

    /// <summary>Skips the test when the server is not available here (only Consul may be missing).</summary>
    protected virtual void SkipUnlessAvailable()
    {
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [SkippableFact]
    public async Task SeedExampleConfig_AsIs_ParsedAndNothingRegisteredWhileChecksFail()
    {
        // The seed document's example: its init scripts do not exist here, so both checks fail.
        var ini = Write("config.cfg", $"""
            [ssh]
            cmd: /etc/init.d/sshd status
            refresh: 60
            service_port: 22
            zookeeper_path: {Root}/services/ssh
            zookeeper_data: 

            [apache]
            cmd: /etc/init.d/apache status
            refresh: 60
            service_port: 22
            zookeeper_path: {Root}/services/web
            zookeeper_data: 
            """);
        await using var agent = Start(ini);
        await agent.WaitForOutputAsync(p => p.StdErr.Contains("[apache] unhealthy", StringComparison.Ordinal) && p.StdErr.Contains("[ssh] unhealthy", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        await using var observer = Observer();
        Assert.Empty(await observer.ListAsync(Root));
    }

    [SkippableFact]
    public async Task TwoServices_FlappingToggle_EntriesFollowAndTermRemovesAll()
    {
        var toggle = Write("healthy", string.Empty);
        var ini = Write("config.cfg", $$"""
            [web]
            cmd = test -f {{toggle}}
            refresh = 0.2
            service_port = 80
            zookeeper_path = {{Root}}/services/web
            zookeeper_data = {"zone": "eu"}
            service_hostname = h1

            [ssh]
            cmd: true
            refresh: 0.2
            service_port: 22
            zookeeper_path: {{Root}}/services/ssh
            zookeeper_data: role=bastion
            service_hostname: h1
            """);
        await using var observer = Observer();
        await using var agent = Start(ini);
        var web = $"{Root}/services/web/h1:80";
        var ssh = $"{Root}/services/ssh/h1:22";
        await WaitFor(observer, web, present: true, agent);
        await WaitFor(observer, ssh, present: true, agent);
        var data = (await observer.GetAsync(web))!.Value;
        Assert.Contains("\"zone\":\"eu\"", data, StringComparison.Ordinal);
        Assert.Contains("\"port\":80", data, StringComparison.Ordinal);
        Assert.Contains("\"role\":\"bastion\"", (await observer.GetAsync(ssh))!.Value, StringComparison.Ordinal);

        File.Delete(toggle);
        await WaitFor(observer, web, present: false, agent);
        Assert.NotNull(await observer.GetAsync(ssh));
        File.WriteAllText(toggle, string.Empty);
        await WaitFor(observer, web, present: true, agent);

        await agent.SignalAsync("TERM");
        Assert.Equal(0, await agent.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Null(await observer.GetAsync(web));
        Assert.Null(await observer.GetAsync(ssh));
    }

    [SkippableFact]
    public async Task KilledAgent_EntryDisappearsWithinTtl()
    {
        var ini = Write("config.cfg", $"[web]\ncmd = true\nrefresh = 0.2\nservice_port = 80\nzookeeper_path = {Root}/k\nservice_hostname = h1\n");
        await using var observer = Observer();
        var (ttl, outlives) = KillTtl;
        await using var agent = Start(ini, "--ttl", ttl);
        var key = $"{Root}/k/h1:80";
        await WaitFor(observer, key, present: true, agent);
        await agent.SignalAsync("KILL");
        await agent.WaitForExitAsync(TimeSpan.FromSeconds(10));
        var killedAt = DateTime.UtcNow;
        await WaitFor(observer, key, present: false, agent, outlives + TimeSpan.FromSeconds(5));
        Assert.True(DateTime.UtcNow - killedAt < outlives, "the entry outlived the agent by far more than its TTL");
    }

    [SkippableFact]
    public async Task ServerRestarted_RegistrationBack()
    {
        var ini = Write("config.cfg", $"[web]\ncmd = true\nrefresh = 0.2\nservice_port = 80\nzookeeper_path = {Root}/r\nservice_hostname = h1\n");
        await using var agent = Start(ini, "--ttl", "10s");
        var key = $"{Root}/r/h1:80";
        await using (var observer = Observer())
        {
            await WaitFor(observer, key, present: true, agent);
        }

        await RestartServerAsync();
        await using (var observer = Observer())
        {
            await WaitFor(observer, key, present: true, agent, TimeSpan.FromSeconds(60));
        }
    }

    private protected TendProcess Start(string ini, params string[] extra)
    {
        SkipUnlessAvailable();
        return TendProcess.Start(["register", "-c", ini, .. StoreArgs, .. extra]);
    }

    protected string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private protected static async Task WaitFor(IKvStore observer, string key, bool present, TendProcess agent, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            try
            {
                if ((await observer.GetAsync(key) is not null) == present)
                {
                    return;
                }
            }
            catch (KvStoreUnavailableException)
            {
                // The server is restarting.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{key} never became {(present ? "present" : "absent")}.\n{agent.StdErr}");
            }

            await Task.Delay(50);
        }
    }
}

public sealed class RegisterOnZooKeeperTests(ZooKeeperServerFixture zk) : RegisterIntegrationTests, IClassFixture<ZooKeeperServerFixture>
{
    protected override string[] StoreArgs => ["-s", zk.Server.EndPoint];

    protected override IKvStore Observer() => new ZooKeeperKvStore(new KvStoreOptions { Kind = "zookeeper", Endpoints = [zk.Server.EndPoint] });

    protected override async Task RestartServerAsync()
    {
        await zk.Server.KillAsync();
        await zk.Server.StartAsync();
    }
}

public sealed class RegisterOnEtcdTests(EtcdServer etcd) : RegisterIntegrationTests, IClassFixture<EtcdServer>
{
    protected override string[] StoreArgs => ["--store", "etcd", "--endpoint", etcd.ClientUrl];

    protected override IKvStore Observer() => new EtcdKvStore(new KvStoreOptions { Kind = "etcd", Endpoints = [etcd.ClientUrl] });

    protected override Task RestartServerAsync()
    {
        etcd.Kill();
        return etcd.RestartAsync();
    }
}

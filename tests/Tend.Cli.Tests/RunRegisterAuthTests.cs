using Tend.Core.Kv;
using Tend.Stores.ZooKeeper;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Cli.Tests;

/// <summary>zk_watcher's <c>[auth]</c>, in the INI file <c>[register] config</c> includes, under <c>tend run</c>.</summary>
public sealed class RunRegisterAuthTests(ZooKeeperServerFixture zk) : IClassFixture<ZooKeeperServerFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tend-run-register-auth-").FullName;
    private readonly string _root = "/auth" + Guid.NewGuid().ToString("N")[..8];

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Run_IncludedZkWatcherConfigWithAuth_EntryCreatedUnderTheDigestUser()
    {
        File.WriteAllText(Path.Combine(_dir, "config.cfg"), $"""
            [auth]
            user = alice
            password = s3cret

            [web]
            cmd: true
            refresh: 1
            service_port: 8080
            zookeeper_path: {_root}/services/web
            zookeeper_data: role=web
            """);
        var config = Path.Combine(_dir, "tend.toml");
        File.WriteAllText(config, $"""
            [store]
            kind = "zookeeper"
            endpoints = ["{zk.Server.EndPoint}"]

            [register]
            config = "config.cfg"
            """);

        await using var agent = TendProcess.Start("run", "--config", config);
        await using var anonymous = new ZooKeeperKvStore(new KvStoreOptions { Kind = "zookeeper", Endpoints = [zk.Server.EndPoint] });
        string? key = null;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (key is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "no entry registered; agent stderr:\n" + agent.StdErr);
            var entries = await anonymous.ListAsync(_root + "/services/web");
            key = entries.Select(i => i.Key).FirstOrDefault(k => k.EndsWith(":8080", StringComparison.Ordinal));
            if (key is null)
            {
                await Task.Delay(200);
            }
        }

        // Created by the authenticated session (creator-all, world-read): anyone reads it, only alice may remove it.
        await Assert.ThrowsAsync<KvAuthenticationException>(() => anonymous.DeleteAsync(key));
        await using var alice = new ZooKeeperKvStore(new KvStoreOptions { Kind = "zookeeper", Endpoints = [zk.Server.EndPoint], Username = "alice", Password = "s3cret" });
        Assert.NotNull(await alice.GetAsync(key));
    }
}

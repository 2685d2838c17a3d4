using Tend.Core.Kv;
using Tend.Stores.ZooKeeper;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Modules.Tests.Render;

/// <summary>The render modes and options on a real ZooKeeper, killed and restarted for the outage.</summary>
public sealed class ZooKeeperRenderStoreTests(ZooKeeperServerFixture zookeeper) : ServerRenderStoreTests, IClassFixture<ZooKeeperServerFixture>
{
    protected override IKvStore NewClient() =>
        new ZooKeeperKvStore(new KvStoreOptions { Kind = "zookeeper", Endpoints = [zookeeper.Server.EndPoint], SessionTimeout = TimeSpan.FromSeconds(6), RequestTimeout = TimeSpan.FromSeconds(3) });

    protected override Task StopStoreAsync() => zookeeper.Server.KillAsync();

    protected override Task StartStoreAsync() => zookeeper.Server.StartAsync();
}

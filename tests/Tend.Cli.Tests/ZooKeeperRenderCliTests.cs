using Tend.Core.Kv;
using Tend.Stores.ZooKeeper;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Cli.Tests;

/// <summary><c>tend render -backend zookeeper -node host:port</c> (confd's command line) on a real ZooKeeper.</summary>
[Collection(nameof(RenderCliTests))]
public sealed class ZooKeeperRenderCliTests(ZooKeeperServerFixture zookeeper) : ConfdBackendRenderCliTests("zk"), IClassFixture<ZooKeeperServerFixture>
{
    protected override string Backend => "zookeeper";

    protected override string Node => zookeeper.Server.EndPoint;

    protected override IKvStore CreateStore() =>
        new ZooKeeperKvStore(new KvStoreOptions { Kind = "zookeeper", Endpoints = [zookeeper.Server.EndPoint] });
}

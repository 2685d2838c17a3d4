using Tend.Core.Kv;
using Tend.Stores.ZooKeeper;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Modules.Tests.Hooks;

/// <summary>The inventory's writer on a real ZooKeeper (multi), whose default bound is 1000 operations per transaction.</summary>
public sealed class ZooKeeperInventoryStoreTests(ZooKeeperServerFixture zookeeper) : InventoryStoreTests, IClassFixture<ZooKeeperServerFixture>
{
    protected override IKvStore NewClient() =>
        new ZooKeeperKvStore(new KvStoreOptions { Kind = "zookeeper", Endpoints = [zookeeper.Server.EndPoint], RequestTimeout = TimeSpan.FromSeconds(10) });
}

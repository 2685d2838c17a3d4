using Tend.Core.Kv;
using Tend.Stores.Etcd;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Modules.Tests.Hooks;

/// <summary>The inventory's writer on a real etcd started with its default <c>--max-txn-ops</c> (128).</summary>
public sealed class EtcdInventoryStoreTests(EtcdServer etcd) : InventoryStoreTests, IClassFixture<EtcdServer>
{
    protected override IKvStore NewClient() => new EtcdKvStore(new KvStoreOptions { Kind = "etcd", Endpoints = [etcd.ClientUrl] });
}

using Tend.Testing.Servers;
using Xunit;

namespace Tend.Stores.Tests.ZooKeeper;

/// <summary>Test classes sharing one standalone server.</summary>
[CollectionDefinition(Name)]
public sealed class ZooKeeperServerCollection : ICollectionFixture<ZooKeeperServerFixture>
{
    public const string Name = "ZooKeeper standalone server";
}

/// <summary>Test classes sharing one three-server ensemble.</summary>
[CollectionDefinition(Name)]
public sealed class ZooKeeperEnsembleCollection : ICollectionFixture<ZooKeeperEnsembleFixture>
{
    public const string Name = "ZooKeeper ensemble";
}

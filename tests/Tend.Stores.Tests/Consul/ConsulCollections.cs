using Tend.Testing.Servers;
using Xunit;

namespace Tend.Stores.Tests.Consul;

/// <summary>Tests that share one Consul dev agent and leave it running.</summary>
[CollectionDefinition(Name)]
public sealed class ConsulCollection : ICollectionFixture<ConsulServer>
{
    public const string Name = "consul";
}

/// <summary>Tests that kill and restart their agent.</summary>
[CollectionDefinition(Name)]
public sealed class ConsulChaosCollection : ICollectionFixture<ConsulChaosServer>
{
    public const string Name = "consul-chaos";
}

/// <summary>Tests against an agent with ACLs enabled.</summary>
[CollectionDefinition(Name)]
public sealed class ConsulAclCollection : ICollectionFixture<ConsulAclServer>
{
    public const string Name = "consul-acl";
}

/// <summary>A dev agent of its own for the tests that restart it.</summary>
public sealed class ConsulChaosServer : ConsulServer
{
}

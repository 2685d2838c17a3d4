using Tend.Core.Kv;
using Tend.Stores.Consul;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Cli.Tests;

/// <summary><c>tend render -backend consul -node host:port</c> (confd's command line) on a real Consul agent.</summary>
[Collection(nameof(RenderCliTests))]
public sealed class ConsulRenderCliTests(ConsulServer consul) : ConfdBackendRenderCliTests("consul"), IClassFixture<ConsulServer>
{
    protected override string Backend => "consul";

    /// <summary>host:port, as confd users write it; http:// is implied.</summary>
    protected override string Node => consul.HttpAddress;

    protected override IKvStore CreateStore()
    {
        consul.SkipIfUnavailable();
        return new ConsulKvStore(new KvStoreOptions { Kind = KvStoreKinds.Consul, Endpoints = [consul.HttpUrl] });
    }
}

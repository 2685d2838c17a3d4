using Tend.Core.Kv;
using Tend.Stores.Consul;
using Tend.Testing.Servers;

namespace Tend.Stores.Tests.Consul;

/// <summary>Stores on a test agent, with the environment of the machine kept out (no CONSUL_HTTP_TOKEN of the developer's).</summary>
internal static class ConsulTestStores
{
    public static ConsulStoreSettings Settings { get; } = ConsulStoreSettings.Default with { BlockingWait = TimeSpan.FromSeconds(20) };

    public static ConsulKvStore Create(ConsulServer server, ConsulStoreSettings? settings = null, string? token = null, Func<KvStoreOptions, KvStoreOptions>? configure = null)
    {
        server.SkipIfUnavailable();
        var options = new KvStoreOptions
        {
            Kind = KvStoreKinds.Consul,
            Endpoints = [server.HttpUrl],
            Token = token ?? server.MasterToken,
            TokenSource = token is null && server.MasterToken is null ? null : "the test",
            RequestTimeout = TimeSpan.FromSeconds(5),
        };
        return new ConsulKvStore(configure?.Invoke(options) ?? options, settings ?? Settings, null, null, null, _ => null);
    }
}

using Microsoft.Extensions.Logging;
using Tend.Core.Kv;
using Tend.Core.Retry;
using Tend.Stores.Etcd;

namespace Tend.Stores.Tests.Etcd;

internal static class EtcdTestStores
{
    public static EtcdStoreSettings FastSettings { get; } = new()
    {
        WatchIdleTimeout = TimeSpan.FromSeconds(3),

        // The test servers send progress notifications every 2 s.
        WatchStallTimeout = TimeSpan.FromSeconds(6),
        ConnectTimeout = TimeSpan.FromSeconds(1),
        ReconnectBackoff = new ExponentialBackoff(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(500)),
    };

    /// <summary>The fast settings on the fallback transport, etcd's JSON gateway.</summary>
    public static EtcdStoreSettings GatewaySettings { get; } = FastSettings with { Transport = EtcdTransport.Gateway };

    public static EtcdKvStore Create(IReadOnlyList<string> endpoints, EtcdStoreSettings? settings = null, Func<KvStoreOptions, KvStoreOptions>? configure = null, ILoggerFactory? loggers = null)
    {
        var options = new KvStoreOptions { Kind = "etcd", Endpoints = endpoints, RequestTimeout = TimeSpan.FromSeconds(3) };
        if (configure is not null)
        {
            options = configure(options);
        }

        return new EtcdKvStore(options, settings ?? FastSettings, loggers);
    }

    public static EtcdKvStore Create(string endpoint, EtcdStoreSettings? settings = null, Func<KvStoreOptions, KvStoreOptions>? configure = null, ILoggerFactory? loggers = null) =>
        Create([endpoint], settings, configure, loggers);

    /// <summary>Waits until <paramref name="condition"/> holds or fails after <paramref name="timeout"/>.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"Not within {timeout}: {what}");
    }
}

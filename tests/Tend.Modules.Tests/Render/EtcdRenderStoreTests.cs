using Tend.Core.Kv;
using Tend.Stores.Etcd;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Modules.Tests.Render;

/// <summary>The render modes and options on a real etcd, killed and restarted for the outage.</summary>
public sealed class EtcdRenderStoreTests(EtcdServer etcd) : ServerRenderStoreTests, IClassFixture<EtcdServer>
{
    protected override IKvStore NewClient() =>
        new EtcdKvStore(new KvStoreOptions { Kind = "etcd", Endpoints = [etcd.ClientUrl], RequestTimeout = TimeSpan.FromSeconds(3) });

    protected override Task StopStoreAsync()
    {
        etcd.Kill();
        return Task.CompletedTask;
    }

    protected override Task StartStoreAsync() => etcd.RestartAsync();
}

using Tend.Core.Kv;
using Tend.Stores.ZooKeeper;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Modules.Tests.Render;

/// <summary>The render modes and options on a real ZooKeeper, killed and restarted for the outage.</summary>
public sealed class ZooKeeperRenderStoreTests(ZooKeeperServerFixture zookeeper) : RenderStoreTests, IClassFixture<ZooKeeperServerFixture>
{
    private ZooKeeperKvStore? _writer;

    private KvStoreOptions Options => new() { Kind = "zookeeper", Endpoints = [zookeeper.Server.EndPoint], SessionTimeout = TimeSpan.FromSeconds(6), RequestTimeout = TimeSpan.FromSeconds(3) };

    protected override Task<IKvStore> CreateStoreAsync()
    {
        _writer = new ZooKeeperKvStore(Options);
        return Task.FromResult<IKvStore>(new ZooKeeperKvStore(Options));
    }

    protected override async Task WriteAsync(string key, string? value)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                _ = value is null ? await _writer!.DeleteAsync(key) : await _writer!.PutAsync(key, value);
                return;
            }
            catch (KvStoreException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    protected override Task StopStoreAsync() => zookeeper.Server.KillAsync();

    protected override Task StartStoreAsync() => zookeeper.Server.StartAsync();

    public override async Task DisposeAsync()
    {
        if (_writer is not null)
        {
            await _writer.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}

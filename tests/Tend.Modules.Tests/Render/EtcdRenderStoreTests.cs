using Tend.Core.Kv;
using Tend.Stores.Etcd;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Modules.Tests.Render;

/// <summary>The render modes and options on a real etcd, killed and restarted for the outage.</summary>
public sealed class EtcdRenderStoreTests(EtcdServer etcd) : RenderStoreTests, IClassFixture<EtcdServer>
{
    private EtcdKvStore? _writer;

    private static KvStoreOptions Options(string url) => new() { Kind = "etcd", Endpoints = [url], RequestTimeout = TimeSpan.FromSeconds(3) };

    protected override Task<IKvStore> CreateStoreAsync()
    {
        _writer = new EtcdKvStore(Options(etcd.ClientUrl));
        return Task.FromResult<IKvStore>(new EtcdKvStore(Options(etcd.ClientUrl)));
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

    protected override Task StopStoreAsync()
    {
        etcd.Kill();
        return Task.CompletedTask;
    }

    protected override Task StartStoreAsync() => etcd.RestartAsync();

    public override async Task DisposeAsync()
    {
        if (_writer is not null)
        {
            await _writer.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}

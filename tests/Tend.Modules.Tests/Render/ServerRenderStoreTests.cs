using Tend.Core.Kv;

namespace Tend.Modules.Tests.Render;

/// <summary>
/// <see cref="RenderStoreTests"/> on a store server (etcd, ZooKeeper): the module reads through
/// one client, the test writes through a second, retrying while the server is down or restarting.
/// </summary>
public abstract class ServerRenderStoreTests : RenderStoreTests
{
    private IKvStore? _writer;

    /// <summary>A new client of the server.</summary>
    protected abstract IKvStore NewClient();

    protected override Task<IKvStore> CreateStoreAsync()
    {
        _writer = NewClient();
        return Task.FromResult(NewClient());
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

    protected override async Task WriteTogetherAsync(IReadOnlyList<(string Key, string Value)> pairs)
    {
        var result = await _writer!.CommitAsync(new KvTransaction([], [.. pairs.Select(p => KvOperation.Put(p.Key, p.Value))]));
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("a transaction without compares did not apply");
        }
    }

    public override async Task DisposeAsync()
    {
        if (_writer is not null)
        {
            await _writer.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}

using Tend.Core.Kv;
using Tend.Stores.Consul;
using Tend.Testing;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Modules.Tests.Render;

/// <summary>The render modes and options on a real Consul server (with a data directory), killed and started again for the outages.</summary>
public sealed class ConsulRenderStoreTests(ConsulPersistentServer consul, ConsulServer dev) : ServerRenderStoreTests, IClassFixture<ConsulPersistentServer>, IClassFixture<ConsulServer>
{
    [SkippableFact]
    public async Task Watch_DevAgentRestartsEmpty_FileFollowsTheNewDataNothingStale()
    {
        // A dev agent (or a server whose data was lost) comes back empty with its index from the beginning.
        var prefix = "/render-dev/t" + Guid.NewGuid().ToString("N")[..8];
        await using var writer = new ConsulKvStore(new KvStoreOptions { Kind = KvStoreKinds.Consul, Endpoints = [dev.HttpUrl] });
        await using var reader = new ConsulKvStore(new KvStoreOptions { Kind = KvStoreKinds.Consul, Endpoints = [dev.HttpUrl], RequestTimeout = TimeSpan.FromSeconds(3) });
        for (int i = 0; i < 30; i++)
        {
            await writer.PutAsync(prefix + "/hosts/old", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var r = Resource("hosts", "{{range gets \"/hosts/*\"}}{{base .Key}}={{.Value}}\n{{end}}", ["/hosts"], prefix);
        await using var mirrors = new Tend.Core.Mirror.KvMirrorSet(reader);
        await using var module = Module(new Tend.Modules.Render.Config.RenderOptions { Templates = [r] }, mirrors, store: reader);
        module.Start();
        await Eventually(() => Read(r.Destination) == "old=29\n");

        await dev.RestartAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                await writer.PutAsync(prefix + "/hosts/new", "1");
                break;
            }
            catch (KvStoreException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }

        await Eventually(() => Read(r.Destination) == "new=1\n");
    }

    private readonly CapturingLoggerFactory _log = new();

    protected override IKvStore NewClient() =>
        new ConsulKvStore(
            new KvStoreOptions { Kind = KvStoreKinds.Consul, Endpoints = [consul.HttpUrl], RequestTimeout = TimeSpan.FromSeconds(3) },
            ConsulStoreSettings.Default with { BlockingWait = TimeSpan.FromSeconds(30) },
            _log);

    protected override string StoreLog() => string.Join('\n', _log.Entries.Select(e => $"{e.Level} {e.Category}: {e.Message}"));

    protected override Task StopStoreAsync()
    {
        consul.Kill();
        return Task.CompletedTask;
    }

    protected override Task StartStoreAsync() => consul.StartAgainAsync();
}

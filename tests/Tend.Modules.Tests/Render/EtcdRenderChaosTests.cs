using System.Text;
using Tend.Core.Kv;
using Tend.Core.Mirror;
using Tend.Modules.Render;
using Tend.Modules.Render.Config;
using Tend.Stores.Etcd;
using Tend.Testing;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Modules.Tests.Render;

/// <summary>Render on a real etcd that is SIGKILLed and restarted during a burst of changes.</summary>
public sealed class EtcdRenderChaosTests(EtcdServer etcd) : IClassFixture<EtcdServer>, IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _root = "/render-chaos-" + Guid.NewGuid().ToString("N")[..8];

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Burst_EtcdKilledAndRestarted_FinalFileEqualsFinalData()
    {
        var resource = new RenderResourceOptions
        {
            Id = "hosts",
            Source = _dir.File("hosts.tmpl", "{{range gets \"/hosts/*\"}}{{base .Key}}={{.Value}}\n{{end}}"),
            Destination = _dir.File("out/hosts"),
            Keys = ["/hosts"],
            Prefix = _root,
        };
        var options = new KvStoreOptions { Kind = "etcd", Endpoints = [etcd.ClientUrl], RequestTimeout = TimeSpan.FromSeconds(3) };
        await using var store = new EtcdKvStore(options);
        await using var writer = new EtcdKvStore(options);
        await writer.PutAsync($"{_root}/hosts/h000", "0");
        await using var mirrors = new KvMirrorSet(store);
        await using var module = RenderModule.Create(new RenderOptions { Templates = [resource] }, store, mirrors, new FakeCommandRunner());
        module.Start();
        await Eventually(() => Read(resource.Destination) == "h000=0\n");

        // 300 writes over 30 keys; etcd is killed a third of the way in and restarted; the writer
        // retries each write until etcd takes it, so the final state is exactly the last values.
        var expected = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["h000"] = "0" };
        for (int i = 1; i <= 300; i++)
        {
            if (i == 100)
            {
                etcd.Kill();
                _ = Task.Run(async () =>
                {
                    await Task.Delay(1500);
                    await etcd.RestartAsync();
                });
            }

            var name = $"h{i % 30:000}";
            var value = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            expected[name] = value;
            await PutWithRetry(writer, $"{_root}/hosts/{name}", value);
        }

        var want = new StringBuilder();
        foreach (var (k, v) in expected)
        {
            want.Append(k).Append('=').Append(v).Append('\n');
        }

        await Eventually(() => Read(resource.Destination) == want.ToString());
        Assert.Null(module.Status[0].LastError);
    }

    private static async Task PutWithRetry(IKvStore store, string key, string value)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                await store.PutAsync(key, value);
                return;
            }
            catch (KvStoreException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static Task Eventually(Func<bool> condition) => Poll.UntilAsync(condition, TimeSpan.FromSeconds(60));
}

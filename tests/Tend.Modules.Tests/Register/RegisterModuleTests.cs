using System.Net;
using System.Net.Sockets;
using Tend.Core.Kv;
using Tend.Modules.Register;
using Tend.Stores.Memory;
using Tend.Testing;
using Xunit;

namespace Tend.Modules.Tests.Register;

public sealed class RegisterModuleTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tend-register-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Apply_FlappingCommandCheck_FollowsTheToggleFile()
    {
        var toggle = Path.Combine(_dir, "healthy");
        File.WriteAllText(toggle, string.Empty);
        await using var store = new MemoryKvStore();
        await using var module = new RegisterModule(store);
        await module.ApplyAsync(Options(Service("web", 80, $"test -f {toggle}")));
        await WaitFor(async () => await store.GetAsync("/services/web/h1:80") is not null);

        File.Delete(toggle);
        await WaitFor(async () => await store.GetAsync("/services/web/h1:80") is null);

        File.WriteAllText(toggle, string.Empty);
        await WaitFor(async () => await store.GetAsync("/services/web/h1:80") is not null);
    }

    [Fact]
    public async Task Apply_ReloadSameIdentity_EntryNeverRemoved()
    {
        await using var store = new MemoryKvStore();
        await using var module = new RegisterModule(store);
        await module.ApplyAsync(Options(Service("web", 80, "true")));
        await WaitFor(async () => await store.GetAsync("/services/web/h1:80") is not null);
        var start = await store.ListAsync("/services");

        await using var watch = new WatchReader(store, "/services", start.Revision + 1, TimeSpan.FromSeconds(5));
        await module.ApplyAsync(Options(Service("web", 80, "true") with { Refresh = TimeSpan.FromMilliseconds(30) }));
        await module.ApplyAsync(Options(Service("web", 81, "true")));
        var changes = await watch.TakeChangesAsync(2);
        Assert.Equal([(KvChangeKind.Delete, "/services/web/h1:80"), (KvChangeKind.Put, "/services/web/h1:81")], changes.Select(c => (c.Kind, c.Key)));
    }

    [Fact]
    public async Task Apply_SectionRemoved_Deregistered_TwoServicesIndependent()
    {
        await using var store = new MemoryKvStore();
        await using var module = new RegisterModule(store);
        await module.ApplyAsync(Options(Service("web", 80, "true"), Service("ssh", 22, "true") with { Path = "/services/ssh" }));
        await WaitFor(async () => (await store.ListAsync("/services")).Count == 2);

        await module.ApplyAsync(Options(Service("ssh", 22, "true") with { Path = "/services/ssh" }));
        Assert.Equal(["/services/ssh/h1:22"], (await store.ListAsync("/services")).Select(p => p.Key));
        Assert.Single(module.Status);
    }

    [Fact]
    public async Task Drain_RemovesEveryEntry()
    {
        await using var store = new MemoryKvStore();
        var module = new RegisterModule(store);
        await module.ApplyAsync(Options(Service("web", 80, "true"), Service("ssh", 22, "true") with { Path = "/services/ssh" }));
        await WaitFor(async () => (await store.ListAsync("/services")).Count == 2);
        await module.DisposeAsync();
        Assert.Empty(await store.ListAsync("/services"));
    }

    [Fact]
    public async Task TcpAndHttpChecks_AgainstRealListeners()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int tcpPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var http = new HttpListener();
        int httpPort = Tend.Testing.Servers.FreePort.Next();
        http.Prefixes.Add($"http://127.0.0.1:{httpPort}/");
        http.Start();
        _ = Task.Run(async () =>
        {
            while (http.IsListening)
            {
                try
                {
                    var ctx = await http.GetContextAsync();
                    var body = System.Text.Encoding.UTF8.GetBytes("status: ready");
                    ctx.Response.StatusCode = ctx.Request.Url!.AbsolutePath == "/down" ? 503 : 200;
                    await ctx.Response.OutputStream.WriteAsync(body);
                    ctx.Response.Close();
                }
                catch (HttpListenerException)
                {
                    return;
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
            }
        });

        await using var store = new MemoryKvStore();
        await using var module = new RegisterModule(store);
        await module.ApplyAsync(Options(
            Service("tcp", tcpPort, null) with { Check = RegisterCheckKind.Tcp, Path = "/t" },
            Service("http", 1, null) with { Check = RegisterCheckKind.Http, HttpUrl = $"http://127.0.0.1:{httpPort}/health", HttpExpect = "ready", Path = "/h" },
            Service("down", 2, null) with { Check = RegisterCheckKind.Http, HttpUrl = $"http://127.0.0.1:{httpPort}/down", Path = "/d" },
            Service("picky", 3, null) with { Check = RegisterCheckKind.Http, HttpUrl = $"http://127.0.0.1:{httpPort}/health", HttpExpect = "absent", Path = "/p" }));
        await WaitFor(async () => (await store.ListAsync("/")).Count == 2 && module.Status.All(s => s.Checks > 0));
        Assert.Equal([$"/h/h1:1", $"/t/h1:{tcpPort}"], (await store.ListAsync("/")).Select(p => p.Key));
        Assert.Contains("HTTP 503", module.Status.Single(s => s.Name == "down").LastCheckOutput, StringComparison.Ordinal);
        Assert.Contains("lacks \"absent\"", module.Status.Single(s => s.Name == "picky").LastCheckOutput, StringComparison.Ordinal);

        listener.Stop();
        await WaitFor(async () => await store.GetAsync($"/t/h1:{tcpPort}") is null);
    }

    [Fact]
    public void Constructor_StoreWithoutEphemeralEntries_Refused()
    {
        var data = Path.Combine(_dir, "d.yaml");
        File.WriteAllText(data, "a: 1\n");
        var files = new Tend.Stores.Files.FileKvStore(new KvStoreOptions { Files = [data] });
        var ex = Assert.Throws<KvNotSupportedException>(() => new RegisterModule(files));
        Assert.Contains("etcd, ZooKeeper or Consul", ex.Message, StringComparison.Ordinal);
    }

    private static RegisterOptions Options(params RegisterServiceOptions[] services) => new() { Services = services };

    private static RegisterServiceOptions Service(string name, int port, string? cmd) => new()
    {
        Name = name,
        Command = cmd,
        Port = port,
        Path = "/services/web",
        Hostname = "h1",
        Refresh = TimeSpan.FromMilliseconds(50),
        Timeout = TimeSpan.FromSeconds(5),
    };

    private static async Task WaitFor(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached within 15 s");
            await Task.Delay(20);
        }
    }
}

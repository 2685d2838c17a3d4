using Tend.Core.Kv;
using Tend.Stores.ZooKeeper;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Cli.Tests;

/// <summary><c>tend render --backend zookeeper --node host:port</c> (confd's command line) on a real ZooKeeper.</summary>
[Collection(nameof(RenderCliTests))]
public sealed class ZooKeeperRenderCliTests(ZooKeeperServerFixture zookeeper) : IClassFixture<ZooKeeperServerFixture>, IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tend-render-zk-cli-").FullName;
    private readonly string _root = "/render-cli-" + Guid.NewGuid().ToString("N")[..8];
    private ZooKeeperKvStore? _store;

    private ZooKeeperKvStore Store => _store!;

    private string Out => Path.Combine(_dir, "hosts.out");

    private string Confdir => Path.Combine(_dir, "confd");

    public async Task InitializeAsync()
    {
        _store = new ZooKeeperKvStore(new KvStoreOptions { Kind = "zookeeper", Endpoints = [zookeeper.Server.EndPoint] });
        Write("confd/templates/hosts.tmpl", "{{range gets \"/hosts/*\"}}{{base .Key}}={{.Value}}:{{getv \"/port\" \"80\"}}\n{{end}}");
        Write("confd/conf.d/hosts.toml", $"[template]\nsrc = \"hosts.tmpl\"\ndest = \"{Out}\"\nkeys = [\"/hosts\", \"/port\"]\nprefix = \"/app\"\n");
        await Store.PutAsync($"{_root}/app/hosts/web1", "10.0.0.1");
        await Store.PutAsync($"{_root}/app/port", "8080");
    }

    public async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Render_ZooKeeperBackendOnetimeWithPrefix_WritesFileAndExits0()
    {
        var (code, _, stderr) = await TendProcess.RunAsync(null, "render", "-onetime", "-backend", "zookeeper", "-node", zookeeper.Server.EndPoint, "-prefix", _root, "-confdir", Confdir);

        Assert.True(code == 0, stderr);
        Assert.Equal("web1=10.0.0.1:8080\n", File.ReadAllText(Out));
    }

    [Fact]
    public async Task Render_ZooKeeperBackendWatch_PutAndDeleteReRender()
    {
        await using var tend = TendProcess.Start("render", "-backend", "zookeeper", "-node", zookeeper.Server.EndPoint, "-prefix", _root, "-confdir", Confdir);
        await tend.WaitForOutputAsync(_ => Read(Out) == "web1=10.0.0.1:8080\n", TimeSpan.FromSeconds(30));

        await Store.PutAsync($"{_root}/app/hosts/web2", "10.0.0.2");
        await tend.WaitForOutputAsync(_ => Read(Out) == "web1=10.0.0.1:8080\nweb2=10.0.0.2:8080\n", TimeSpan.FromSeconds(30));

        await Store.DeleteAsync($"{_root}/app/port");
        await tend.WaitForOutputAsync(_ => Read(Out) == "web1=10.0.0.1:80\nweb2=10.0.0.2:80\n", TimeSpan.FromSeconds(30));
    }

    private void Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
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
}

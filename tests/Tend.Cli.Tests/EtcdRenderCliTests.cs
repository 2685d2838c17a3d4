using Tend.Core.Kv;
using Tend.Stores.Etcd;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Cli.Tests;

/// <summary><c>tend render --backend etcdv3 --node host:port</c> (confd's command line, a node without a scheme) on a real etcd.</summary>
[Collection(nameof(RenderCliTests))]
public sealed class EtcdRenderCliTests(EtcdServer etcd) : IClassFixture<EtcdServer>, IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tend-render-etcd-cli-").FullName;
    private readonly string _root = "/render-cli-" + Guid.NewGuid().ToString("N")[..8];
    private EtcdKvStore? _store;

    private EtcdKvStore Store => _store!;

    /// <summary>host:port, as confd users write it; http:// is implied.</summary>
    private string EtcdNode => etcd.ClientUrl["http://".Length..];

    private string Out => Path.Combine(_dir, "hosts.out");

    private string Confdir => Path.Combine(_dir, "confd");

    public async Task InitializeAsync()
    {
        _store = new EtcdKvStore(new KvStoreOptions { Kind = "etcd", Endpoints = [etcd.ClientUrl] });
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
    public async Task Render_EtcdV3BackendOnetimeWithPrefix_WritesFileAndExits0()
    {
        var (code, _, stderr) = await TendProcess.RunAsync(null, "render", "-onetime", "-backend", "etcdv3", "-node", EtcdNode, "-prefix", _root, "-confdir", Confdir);

        Assert.True(code == 0, stderr);
        Assert.Equal("web1=10.0.0.1:8080\n", File.ReadAllText(Out));
    }

    [Fact]
    public async Task Render_EtcdV3BackendWatch_PutAndDeleteReRender()
    {
        await using var tend = TendProcess.Start("render", "-backend", "etcdv3", "-node", EtcdNode, "-prefix", _root, "-confdir", Confdir);
        await tend.WaitForOutputAsync(_ => Read(Out) == "web1=10.0.0.1:8080\n", TimeSpan.FromSeconds(30));

        await Store.PutAsync($"{_root}/app/hosts/web2", "10.0.0.2");
        await tend.WaitForOutputAsync(_ => Read(Out) == "web1=10.0.0.1:8080\nweb2=10.0.0.2:8080\n", TimeSpan.FromSeconds(30));

        await Store.DeleteAsync($"{_root}/app/port");
        await tend.WaitForOutputAsync(_ => Read(Out) == "web1=10.0.0.1:80\nweb2=10.0.0.2:80\n", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Render_ReconfigHostPortOnetime_CfgdirRenderedFromEtcd()
    {
        Write("reconfig/templates/t.tmpl", "{{range $k, $v := .}}{{$k}} {{$v}}\n{{end}}");
        Write("reconfig/conf.d/t.json", $"{{\"id\": \"t\", \"source\": \"t.tmpl\", \"target\": \"{Out}\", \"key\": \"{_root}/app/hosts\", \"recursive\": true}}");
        var url = new Uri(etcd.ClientUrl);

        var (code, _, stderr) = await TendProcess.RunAsync(null, "render", "-o", "-c", Path.Combine(_dir, "reconfig"), "--host", url.Host, "--port", url.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(code == 0, stderr);
        Assert.Equal($"{_root}/app/hosts/web1 10.0.0.1\n", File.ReadAllText(Out));
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

using Tend.Core.Kv;
using Tend.Stores.Etcd;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Cli.Tests;

/// <summary>
/// <c>tend render -backend etcdv3 -node host:port</c> (confd's command line, a node without a
/// scheme) on a real etcd, and reconfig's <c>--host --port</c>.
/// </summary>
[Collection(nameof(RenderCliTests))]
public sealed class EtcdRenderCliTests(EtcdServer etcd) : ConfdBackendRenderCliTests("etcd"), IClassFixture<EtcdServer>
{
    protected override string Backend => "etcdv3";

    /// <summary>host:port, as confd users write it; http:// is implied.</summary>
    protected override string Node => etcd.ClientUrl["http://".Length..];

    [Fact]
    public async Task Render_ReconfigHostPortOnetime_CfgdirRenderedFromEtcd()
    {
        Write("reconfig/templates/t.tmpl", "{{range $k, $v := .}}{{$k}} {{$v}}\n{{end}}");
        Write("reconfig/conf.d/t.json", $"{{\"id\": \"t\", \"source\": \"t.tmpl\", \"target\": \"{Out}\", \"key\": \"{Root}/app/hosts\", \"recursive\": true}}");
        var url = new Uri(etcd.ClientUrl);

        var (code, _, stderr) = await TendProcess.RunAsync(null, "render", "-o", "-c", Path.Combine(Dir, "reconfig"), "--host", url.Host, "--port", url.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(code == 0, stderr);
        Assert.Equal($"{Root}/app/hosts/web1 10.0.0.1\n", File.ReadAllText(Out));
    }

    protected override IKvStore CreateStore() =>
        new EtcdKvStore(new KvStoreOptions { Kind = "etcd", Endpoints = [etcd.ClientUrl] });
}

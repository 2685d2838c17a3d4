using System.Text;
using System.Text.Json;
using Tend.Core.Kv;
using Tend.Core.Mirror;
using Tend.Modules.Render;
using Tend.Modules.Render.Config;
using Tend.Stores.Consul;
using Tend.Stores.Files;
using Tend.Testing;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Modules.Tests.Render;

/// <summary>
/// consul-template's catalog functions on a real Consul agent: services and checks registered through the catalog API,
/// rendered byte for byte as consul-template 0.20.1 rendered the same catalog, and re-rendered as the catalog changes.
/// </summary>
public sealed class ConsulCatalogRenderTests(ConsulServer consul) : IClassFixture<ConsulServer>, IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly TempDir _dir = new();
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false });

    public void Dispose()
    {
        _http.Dispose();
        _dir.Dispose();
    }

    // The template given to consul-template 0.20.1 (-once -dry) against a dev agent holding the catalog of RegisterApiAsync.
    private const string Template =
        "services:{{ range services }}\n{{ .Name }} {{ .Tags }} {{ len .Tags }}{{ end }}\n" +
        "api(default):{{ range service \"api\" }}\n{{ .Node }} {{ .NodeAddress }} {{ .Address }}:{{ .Port }} {{ .ID }} {{ .Name }} {{ .Tags }} {{ .Status }} {{ .NodeMeta }} {{ .ServiceMeta }} {{ .NodeTaggedAddresses }} {{ len .Checks }}{{ range .Checks }} [{{ .CheckID }} {{ .Status }} {{ .Output }} {{ .ServiceName }} {{ .ServiceTags }}]{{ end }}{{ end }}\n" +
        "api(any):{{ range service \"api\" \"any\" }}\n{{ .ID }} {{ .Status }}{{ end }}\n" +
        "api(passing,warning):{{ range service \"api|passing,warning\" }}\n{{ .ID }} {{ .Status }}{{ end }}\n" +
        "api(passing, warning 2 args):{{ range service \"api\" \"passing,warning\" }}\n{{ .ID }} {{ .Status }}{{ end }}\n" +
        "blue.api any:{{ range service \"blue.api\" \"any\" }}\n{{ .ID }} {{ .Status }}{{ end }}\n" +
        "api@dc1 any:{{ range service \"api@dc1|any\" }}\n{{ .ID }}{{ end }}\n" +
        "critical:{{ range service \"api|critical\" }}\n{{ .ID }}{{ end }}\n" +
        "nodes:{{ range nodes }}\n{{ .Node }} {{ .Address }} {{ .Datacenter }} {{ .TaggedAddresses }} {{ .Meta }}{{ end }}\n" +
        "node n1:{{ with node \"n1\" }}{{ .Node.Node }} {{ .Node.Address }} {{ .Node.Datacenter }} {{ .Node.TaggedAddresses }} {{ .Node.Meta }}{{ range .Services }}\n {{ .ID }} {{ .Service }} {{ .Tags }} {{ .Meta }} {{ .Port }} {{ .Address }} {{ .EnableTagOverride }}{{ end }}{{ end }}\n" +
        "node n2@dc1:{{ with node \"n2@dc1\" }}{{ .Node.Node }}{{ range .Services }} {{ .ID }}{{ end }}{{ end }}\n" +
        "node nosuch:{{ with node \"nosuch\" }}[{{ .Node }}] {{ if .Node }}y{{ else }}n{{ end }} {{ len .Services }}{{ end }}\n" +
        "self:{{ with node }}{{ .Node.Node }} {{ len .Services }}{{ end }}\n" +
        "dcs:{{ datacenters }} {{ datacenters true }}\n" +
        "bytag:{{ range $t, $s := service \"api\" \"any\" | byTag }}\n{{ $t }}:{{ range $s }} {{ .ID }}{{ end }}{{ end }}\n" +
        "svcbytag:{{ range $t, $s := services | byTag }}\n{{ $t }}:{{ range $s }} {{ .Name }}{{ end }}{{ end }}\n" +
        "contains:{{ range service \"api|any\" }}{{ if .Tags | contains \"blue\" }} {{ .ID }}{{ end }}{{ end }}\n";

    // What consul-template 0.20.1 wrote; the agent's own node (its host name) is filled in.
    private static string Expected(string self) =>
        "services:\napi [blue v1 v2] 3\ncache [] 0\nconsul [] 0\n" +
        "api(default):\nn2 10.1.0.2 10.1.0.2:9000 api-2 api [blue v2] passing map[az:a rack:r2] map[ver:2] map[wan:192.0.2.2] 1 [api-2-c passing  api [v2 blue]]\n" +
        "api(any):\napi-0 critical\napi-1 warning\napi-2 passing\n" +
        "api(passing,warning):\napi-1 warning\napi-2 passing\n" +
        "api(passing, warning 2 args):\napi-1 warning\napi-2 passing\n" +
        "blue.api any:\napi-0 critical\napi-2 passing\n" +
        "api@dc1 any:\napi-0\napi-1\napi-2\n" +
        "critical:\napi-0\n" +
        "nodes:\nn1 10.1.0.1 dc1 map[] map[]\nn2 10.1.0.2 dc1 map[wan:192.0.2.2] map[az:a rack:r2]\n" +
        $"{self} 127.0.0.1 dc1 map[lan:127.0.0.1 lan_ipv4:127.0.0.1 wan:127.0.0.1 wan_ipv4:127.0.0.1] map[consul-network-segment:]\n" +
        "node n1:n1 10.1.0.1 dc1 map[] map[]\n api-0 api [blue v1] map[] 9001  false\n api-1 api [v1] map[] 9000 10.9.9.1 false\n cache cache [] map[] 6379  false\n" +
        "node n2@dc1:n2 api-2\n" +
        "node nosuch:[<nil>] n 0\n" +
        $"self:{self} 1\n" +
        "dcs:[dc1] [dc1]\n" +
        "bytag:\nblue: api-0 api-2\nv1: api-0 api-1\nv2: api-2\n" +
        "svcbytag:\nblue: api\nv1: api\nv2: api\n" +
        "contains: api-0 api-2\n";

    [SkippableFact]
    public async Task Watch_CatalogFunctions_RenderAsConsulTemplateRenders()
    {
        consul.SkipIfUnavailable();
        await RegisterApiAsync();
        try
        {
            await using var store = Store();
            await using var mirrors = new KvMirrorSet(store);
            var r = Resource("catalog", Template);
            await using var module = Module(r, store, mirrors);
            var self = await SelfAsync();
            await AgentNodeSyncedAsync(self);
            module.Start();

            await Eventually(() => Read(r.Destination) is not null);
            Assert.Equal(Expected(self), Read(r.Destination));
            Assert.Null(module.Status[0].LastError);
        }
        finally
        {
            await DeregisterNodeAsync("n1");
            await DeregisterNodeAsync("n2");
        }
    }

    [SkippableFact]
    public async Task Watch_InstanceRegisteredTurnsCriticalDeregistered_ReRendersEachTime()
    {
        consul.SkipIfUnavailable();
        var name = "web" + Guid.NewGuid().ToString("N")[..8];
        await using var store = Store();
        await using var mirrors = new KvMirrorSet(store);
        var r = Resource("web", $"{{{{ range service \"{name}\" }}}}{{{{ .ID }}}} {{{{ .Address }}}}:{{{{ .Port }}}}\n{{{{ end }}}}# end\n");
        await using var module = Module(r, store, mirrors);
        module.Start();

        // A service nobody registered yet is an answer (no instance), not something to wait for.
        await Eventually(() => Read(r.Destination) == "# end\n");

        await RegisterAsync("w1", "10.2.0.1", name, "a", 80, "passing");
        await Eventually(() => Read(r.Destination) == "a 10.2.0.1:80\n# end\n");

        await RegisterAsync("w2", "10.2.0.2", name, "b", 81, "passing");
        await Eventually(() => Read(r.Destination) == "a 10.2.0.1:80\nb 10.2.0.2:81\n# end\n");

        await RegisterAsync("w1", "10.2.0.1", name, "a", 80, "critical");
        await Eventually(() => Read(r.Destination) == "b 10.2.0.2:81\n# end\n");

        await DeregisterNodeAsync("w2");
        await Eventually(() => Read(r.Destination) == "# end\n");
        Assert.Single(module.Catalog.Watches);
        await DeregisterNodeAsync("w1");
    }

    [SkippableFact]
    public async Task Watch_TwoTemplatesReadTheSameQuery_OneWatchServesBoth()
    {
        consul.SkipIfUnavailable();
        var name = "db" + Guid.NewGuid().ToString("N")[..8];
        await RegisterAsync("d1", "10.3.0.1", name, "d1", 5432, "passing");
        try
        {
            await using var store = Store();
            await using var mirrors = new KvMirrorSet(store);
            var a = Resource("a", $"{{{{ range service \"{name}\" }}}}a {{{{ .Address }}}}{{{{ end }}}}");
            var b = Resource("b", $"{{{{ range service \"{name}|passing\" }}}}b {{{{ .Port }}}}{{{{ end }}}}{{{{ range services }}}}{{{{ end }}}}");
            await using var module = RenderModule.Create(new RenderOptions { Templates = [a, b] }, store, mirrors, new FakeCommandRunner());
            module.Start();

            await Eventually(() => Read(a.Destination) == "a 10.3.0.1" && Read(b.Destination) == "b 5432");

            Assert.Equal(["catalog.services", $"health.service({name}|passing)"], module.Catalog.Watches.Select(w => w.Query.Key).Order(StringComparer.Ordinal));
        }
        finally
        {
            await DeregisterNodeAsync("d1");
        }
    }

    [SkippableFact]
    public async Task Onetime_CatalogTemplate_WaitsForTheFirstAnswerThenRenders()
    {
        consul.SkipIfUnavailable();
        var name = "once" + Guid.NewGuid().ToString("N")[..8];
        await RegisterAsync("o1", "10.4.0.1", name, "o1", 7000, "warning");
        try
        {
            await using var store = Store();
            var r = Resource("once", $"{{{{ range service \"{name}\" \"any\" }}}}{{{{ .ID }}}} {{{{ .Status }}}}{{{{ end }}}} dcs={{{{ datacenters }}}}");
            await using var module = RenderModule.Create(new RenderOptions { Templates = [r] }, store, null, new FakeCommandRunner());

            Assert.True(await module.RunOnceAsync());

            Assert.Equal("o1 warning dcs=[dc1]", Read(r.Destination));
        }
        finally
        {
            await DeregisterNodeAsync("o1");
        }
    }

    [SkippableFact]
    public async Task Watch_QueryKeepsFailing_WaitTimesOutNamingTheQueryAndItsError()
    {
        consul.SkipIfUnavailable();
        await using var store = Store();
        await using var mirrors = new KvMirrorSet(store);
        var r = Resource("nodc", "{{ range service \"web@nosuchdc\" }}{{ .Address }}{{ end }}") with { MissingDataTimeout = TimeSpan.FromSeconds(1) };
        File.WriteAllText(_dir.File("out/nodc"), "old");
        await using var module = Module(r, store, mirrors);
        module.Start();

        await Eventually(() => module.Status[0].LastError is not null);

        // Consul answers a query for a datacenter it does not know with an error; the status says which.
        Assert.Contains("no data after 1s for health.service(web@nosuchdc|passing) (last error: ", module.Status[0].LastError, StringComparison.Ordinal);
        Assert.Contains("nosuchdc", module.Status[0].LastError![(module.Status[0].LastError!.IndexOf("last error", StringComparison.Ordinal))..], StringComparison.Ordinal);
        Assert.Equal("old", Read(r.Destination));
    }

    [Fact]
    public async Task Watch_CatalogFunctionOnTheFileStore_ErrorNamesTheFunctionAndTheOldFileStays()
    {
        var data = _dir.File("data.yaml", "app:\n  name: shop\n");
        await using var store = new FileKvStore(new KvStoreOptions { Kind = KvStoreKinds.File, Files = [data] });
        await using var mirrors = new KvMirrorSet(store);
        var r = Resource("file", "{{ key \"app/name\" }}{{ range service \"web\" }}{{ .Address }}{{ end }}");
        File.WriteAllText(_dir.File("out/file"), "old");
        await using var module = Module(r, store, mirrors);
        module.Start();

        await Eventually(() => module.Status[0].LastError is not null);

        Assert.Contains("service reads Consul's catalog, which needs the Consul store (--store consul", module.Status[0].LastError, StringComparison.Ordinal);
        Assert.Equal("old", Read(r.Destination));
        Assert.Empty(module.Catalog.Watches);
    }

    private ConsulKvStore Store() =>
        new(new KvStoreOptions { Kind = KvStoreKinds.Consul, Endpoints = [consul.HttpUrl] }, ConsulStoreSettings.Default with { BlockingWait = TimeSpan.FromSeconds(30) });

    private RenderResourceOptions Resource(string name, string template) => new()
    {
        Id = name,
        Source = _dir.File(name + ".tmpl", template),
        Destination = _dir.File("out/" + name),
        Prefix = "/catalog-render",
        Shape = RenderDataShape.ConsulTemplate,
        MissingKey = RenderMissingKey.Zero,
        CreateDestDirs = true,
    };

    private static RenderModule Module(RenderResourceOptions r, IKvStore store, KvMirrorSet mirrors) =>
        new(new RenderOptions { Templates = [r] }, store, mirrors, new FakeCommandRunner(), GoTemplateCompiler.Instance)
        {
            RetryDelay = TimeSpan.FromMilliseconds(200),
            CatalogSettings = CatalogWatchSettings.Default with { Wait = TimeSpan.FromSeconds(30) },
        };

    // The catalog consul-template rendered: node checks none, instance checks of every state, tags out of order.
    private async Task RegisterApiAsync()
    {
        await PutAsync("/v1/catalog/register", """{"Node":"n2","Address":"10.1.0.2","TaggedAddresses":{"wan":"192.0.2.2"},"NodeMeta":{"rack":"r2","az":"a"},"Service":{"ID":"api-2","Service":"api","Tags":["v2","blue"],"Port":9000,"Meta":{"ver":"2"}},"Checks":[{"CheckID":"api-2-c","Name":"api check","Status":"passing","ServiceID":"api-2"}]}""");
        await PutAsync("/v1/catalog/register", """{"Node":"n1","Address":"10.1.0.1","Service":{"ID":"api-1","Service":"api","Tags":["v1"],"Port":9000,"Address":"10.9.9.1"},"Checks":[{"CheckID":"api-1-c","Name":"api check","Status":"warning","ServiceID":"api-1","Output":"slow"}]}""");
        await PutAsync("/v1/catalog/register", """{"Node":"n1","Address":"10.1.0.1","Service":{"ID":"api-0","Service":"api","Tags":["v1","blue"],"Port":9001},"Checks":[{"CheckID":"api-0-c","Name":"api check","Status":"critical","ServiceID":"api-0"}]}""");
        await PutAsync("/v1/catalog/register", """{"Node":"n1","Address":"10.1.0.1","Service":{"ID":"cache","Service":"cache","Port":6379}}""");
    }

    private Task RegisterAsync(string node, string address, string service, string id, int port, string status) =>
        PutAsync("/v1/catalog/register", JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["Node"] = node,
            ["Address"] = address,
            ["Service"] = new Dictionary<string, object> { ["ID"] = id, ["Service"] = service, ["Port"] = port },
            ["Check"] = new Dictionary<string, object> { ["CheckID"] = id + "-c", ["Name"] = "check", ["Status"] = status, ["ServiceID"] = id },
        }));

    private Task DeregisterNodeAsync(string node) => PutAsync("/v1/catalog/deregister", $$"""{"Node":"{{node}}"}""");

    private async Task PutAsync(string path, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await _http.PutAsync(new Uri(consul.HttpUrl + path), content);
        response.EnsureSuccessStatusCode();
    }

    private async Task<string> SelfAsync()
    {
        using var doc = JsonDocument.Parse(await _http.GetStringAsync(new Uri(consul.HttpUrl + "/v1/agent/self")));
        return doc.RootElement.GetProperty("Config").GetProperty("NodeName").GetString()!;
    }

    /// <summary>
    /// Waits until the agent's first sync has given its own catalog node the tagged addresses the expected text
    /// shows: a fresh dev agent lists itself without them for a moment, longer on a loaded machine.
    /// </summary>
    private async Task AgentNodeSyncedAsync(string self) =>
        await Poll.UntilAsync(
            async () =>
            {
                using var doc = JsonDocument.Parse(await _http.GetStringAsync(new Uri($"{consul.HttpUrl}/v1/catalog/node/{self}")));
                return doc.RootElement.ValueKind == JsonValueKind.Object
                    && doc.RootElement.GetProperty("Node").TryGetProperty("TaggedAddresses", out var tagged)
                    && tagged.ValueKind == JsonValueKind.Object && tagged.TryGetProperty("lan_ipv4", out _);
            },
            Deadline,
            "the agent's own node in the catalog with its tagged addresses");

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

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"condition not met within {Deadline.TotalSeconds} s");
            await Task.Delay(25);
        }
    }
}

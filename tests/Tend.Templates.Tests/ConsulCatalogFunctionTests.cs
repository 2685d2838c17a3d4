using Tend.Templates.Catalog;
using Xunit;

namespace Tend.Templates.Tests;

/// <summary>
/// consul-template's catalog functions over a catalog that answers from memory: argument parsing as consul-template
/// parses it, how its result types print, waiting for a query without an answer, and byTag. The real agent's shapes
/// (sorting, health filters) are proven against Consul in the render module's tests.
/// </summary>
public sealed class ConsulCatalogFunctionTests
{
    private static readonly Dictionary<string, string> NoMeta = [];

    private static readonly HealthService[] Api =
    [
        new()
        {
            Node = "n1", NodeAddress = "10.1.0.1", Address = "10.1.0.1", Id = "api-0", Name = "api", Tags = ["blue", "v1"], Status = "critical", Port = 9001,
            Checks = [new HealthCheck { Node = "n1", CheckId = "api-0-c", Name = "api check", Status = "critical", ServiceId = "api-0", ServiceName = "api", ServiceTags = ["v1", "blue"] }],
        },
        new()
        {
            Node = "n2", NodeAddress = "10.1.0.2", Address = "10.1.0.2", Id = "api-2", Name = "api", Tags = ["blue", "v2"], Status = "passing", Port = 9000,
            NodeMeta = new Dictionary<string, string> { ["rack"] = "r2", ["az"] = "a" }, ServiceMeta = new Dictionary<string, string> { ["ver"] = "2" },
            NodeTaggedAddresses = new Dictionary<string, string> { ["wan"] = "192.0.2.2" },
        },
    ];

    private sealed class FakeCatalog(bool available = true) : ITemplateCatalog
    {
        public Dictionary<string, object?> Answers { get; } = new(StringComparer.Ordinal);

        public List<string> Asked { get; } = [];

        public bool IsAvailable => available;

        public bool TryRead(CatalogQuery query, out object? value)
        {
            Asked.Add(query.Key);
            return Answers.TryGetValue(query.Key, out value);
        }
    }

    private static string Render(string text, FakeCatalog catalog, ConsulTemplateDependencies? dependencies = null)
    {
        var functions = FunctionRegistry.CreateConsulTemplate(new InMemoryKeySource(new Dictionary<string, string>()), dependencies ?? new ConsulTemplateDependencies(), catalog);
        return GoTemplate.Parse("t", text, new TemplateOptions { Functions = functions }).RenderToString(null);
    }

    [Fact]
    public void Service_Fields_PrintAsConsulTemplatePrintsThem()
    {
        var catalog = new FakeCatalog();
        catalog.Answers["health.service(api|any)"] = Api;

        var text = Render("{{ range service \"api\" \"any\" }}{{ .Node }} {{ .NodeAddress }} {{ .Address }}:{{ .Port }} {{ .ID }} {{ .Name }} {{ .Tags }} {{ .Status }} {{ .NodeMeta }} {{ .ServiceMeta }} {{ .NodeTaggedAddresses }} {{ len .Checks }}{{ range .Checks }} [{{ .CheckID }} {{ .Status }} {{ .Output }} {{ .ServiceName }} {{ .ServiceTags }}]{{ end }}\n{{ end }}", catalog);

        // What consul-template 0.20.1 printed for the same instances.
        Assert.Equal(
            "n1 10.1.0.1 10.1.0.1:9001 api-0 api [blue v1] critical map[] map[] map[] 1 [api-0-c critical  api [v1 blue]]\n" +
            "n2 10.1.0.2 10.1.0.2:9000 api-2 api [blue v2] passing map[az:a rack:r2] map[ver:2] map[wan:192.0.2.2] 0\n",
            text);
    }

    [Theory]
    [InlineData("{{ service \"api\" }}", "health.service(api|passing)")]
    [InlineData("{{ service \"api\" \"any\" }}", "health.service(api|any)")]
    [InlineData("{{ service \"api|warning,passing\" }}", "health.service(api|passing,warning)")]
    [InlineData("{{ service \"api\" \"warning,passing\" }}", "health.service(api|passing,warning)")]
    [InlineData("{{ service \"blue.v1.api@dc2|critical\" }}", "health.service(blue.v1.api@dc2|critical)")]
    [InlineData("{{ service \"api@dc1~n1\" }}", "health.service(api@dc1~n1|passing)")]
    [InlineData("{{ services }}", "catalog.services")]
    [InlineData("{{ services \"@dc2\" }}", "catalog.services(@dc2)")]
    [InlineData("{{ node }}", "catalog.node")]
    [InlineData("{{ node \"n1.example@dc2\" }}", "catalog.node(n1.example@dc2)")]
    [InlineData("{{ nodes }}", "catalog.nodes")]
    [InlineData("{{ nodes \"@dc2~n1\" }}", "catalog.nodes(@dc2~n1)")]
    [InlineData("{{ datacenters }}", "catalog.datacenters")]
    [InlineData("{{ datacenters true }}", "catalog.datacenters(ignore-failing)")]
    public void Functions_NoAnswerYet_RenderWaitsForTheQuery(string template, string query)
    {
        var catalog = new FakeCatalog();
        var dependencies = new ConsulTemplateDependencies();

        Render(template, catalog, dependencies);

        Assert.Equal([query], catalog.Asked);
        Assert.Equal([query], dependencies.Missing);
    }

    [Fact]
    public void Service_TagAndFilter_ParsedIntoTheQuery()
    {
        var q = CatalogQuery.HealthService("blue.v1.api@dc2~n1|warning,any");

        Assert.Equal(("blue.v1", "api", "dc2", "n1"), (q.Tag, q.Name, q.Datacenter, q.Near));
        Assert.Equal(["any", "warning"], q.Filters);
        Assert.False(q.PassingOnly);
        Assert.True(q.Accepts("critical"));
        Assert.True(CatalogQuery.HealthService("api").PassingOnly);
        Assert.False(CatalogQuery.HealthService("api|passing,warning").Accepts("critical"));
    }

    [Fact]
    public void Service_EmptyName_EmptyListWithoutAQuery()
    {
        var catalog = new FakeCatalog();

        Assert.Equal("0", Render("{{ service \"\" | len }}", catalog));
        Assert.Empty(catalog.Asked);
    }

    [Fact]
    public void Node_UnknownNode_AnswerWithoutNodeAndNoServices()
    {
        var catalog = new FakeCatalog();
        catalog.Answers["catalog.node(nosuch)"] = new CatalogNode();

        // consul-template's answer for a node the catalog does not have: a CatalogNode whose Node is nil.
        Assert.Equal("found: no node, [] 0", Render("{{ with node \"nosuch\" }}found: {{ if .Node }}node{{ else }}no node{{ end }}, {{ .Services }} {{ len .Services }}{{ end }}", catalog));
    }

    [Fact]
    public void Node_UnknownNode_NodeIsANilPointerAsInGo()
    {
        var catalog = new FakeCatalog();
        catalog.Answers["catalog.node(nosuch)"] = new CatalogNode();

        Assert.Equal("<nil> *dependency.Node true", Render("{{ with node \"nosuch\" }}{{ .Node }} {{ printf \"%T\" .Node }} {{ eq .Node nil }}{{ end }}", catalog));
        Assert.Equal("null", Render("{{ with node \"nosuch\" }}{{ .Node | toJSON }}{{ end }}", catalog));
        var ex = Assert.Throws<TemplateExecutionException>(() => Render("{{ with node \"nosuch\" }}{{ .Node.Address }}{{ end }}", catalog));
        Assert.Contains("nil pointer evaluating *dependency.Node.Address", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Node_Services_FieldsPrint()
    {
        var catalog = new FakeCatalog();
        catalog.Answers["catalog.node(n1)"] = new CatalogNode
        {
            Node = new NodeInfo { Node = "n1", Address = "10.1.0.1", Datacenter = "dc1" },
            Services = [new CatalogNodeService { Id = "api-1", Service = "api", Tags = ["v1"], Port = 9000, Address = "10.9.9.1" }],
        };

        Assert.Equal(
            "n1 10.1.0.1 dc1 map[] map[]\n api-1 api [v1] map[] 9000 10.9.9.1 false",
            Render("{{ with node \"n1\" }}{{ .Node.Node }} {{ .Node.Address }} {{ .Node.Datacenter }} {{ .Node.TaggedAddresses }} {{ .Node.Meta }}{{ range .Services }}\n {{ .ID }} {{ .Service }} {{ .Tags }} {{ .Meta }} {{ .Port }} {{ .Address }} {{ .EnableTagOverride }}{{ end }}{{ end }}", catalog));
    }

    [Fact]
    public void ByTag_Services_GroupedByTagInListOrder()
    {
        var catalog = new FakeCatalog();
        catalog.Answers["health.service(api|any)"] = Api;
        catalog.Answers["catalog.services"] = new[] { new CatalogSnippet { Name = "api", Tags = ["blue", "v1"] }, new CatalogSnippet { Name = "web", Tags = ["a"] } };

        Assert.Equal(
            "blue: api-0 api-2\nv1: api-0\nv2: api-2\n",
            Render("{{ range $t, $s := service \"api\" \"any\" | byTag }}{{ $t }}:{{ range $s }} {{ .ID }}{{ end }}\n{{ end }}", catalog));
        Assert.Equal("a: web\nblue: api\nv1: api\n", Render("{{ range $t, $s := services | byTag }}{{ $t }}:{{ range $s }} {{ .Name }}{{ end }}\n{{ end }}", catalog));
    }

    [Fact]
    public void Contains_ServiceTags_FindsTheTag()
    {
        var catalog = new FakeCatalog();
        catalog.Answers["health.service(api|any)"] = Api;

        Assert.Equal(" api-0", Render("{{ range service \"api|any\" }}{{ if .Tags | contains \"v1\" }} {{ .ID }}{{ end }}{{ end }}", catalog));
    }

    [Theory]
    [InlineData("{{ service \"bad name!\" }}", "error calling service: health.service: invalid format: \"bad name!\"")]
    [InlineData("{{ service \"api|bogus\" }}", "error calling service: health.service: invalid filter: \"bogus\" in \"api|bogus\"")]
    [InlineData("{{ services \"dc1\" }}", "catalog.services: invalid format: \"dc1\"")]
    [InlineData("{{ node \"@dc1\" }}", "catalog.node: invalid format: \"@dc1\"")]
    [InlineData("{{ nodes \"x\" }}", "catalog.nodes: invalid format: \"x\"")]
    [InlineData("{{ datacenters true false }}", "datacenters: wrong number of arguments, expected 0 or 1, but got 2")]
    [InlineData("{{ byTag 3 }}", "byTag: wrong argument type int")]
    public void Functions_BadArguments_ErrorAsConsulTemplateSaysIt(string template, string expected)
    {
        var e = Assert.Throws<TemplateExecutionException>(() => Render(template, new FakeCatalog()));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{{ service \"web\" }}", "service")]
    [InlineData("{{ services }}", "services")]
    [InlineData("{{ node }}", "node")]
    [InlineData("{{ nodes }}", "nodes")]
    [InlineData("{{ datacenters }}", "datacenters")]
    public void Functions_StoreWithoutCatalog_ErrorNamesTheFunctionAndTheStore(string template, string function)
    {
        var e = Assert.Throws<TemplateExecutionException>(() => Render(template, new FakeCatalog(available: false)));
        Assert.Contains($"{function} reads Consul's catalog, which needs the Consul store (--store consul", e.Message, StringComparison.Ordinal);
    }
}

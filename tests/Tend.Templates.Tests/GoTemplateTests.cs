using System.Collections.Concurrent;
using Xunit;

namespace Tend.Templates.Tests;

public sealed class GoTemplateTests
{
    public sealed class Server : ITemplateStruct
    {
        private static readonly TemplateStructType Type = new TemplateStructBuilder<Server>("main.Server")
            .Field("Name", s => s.Name)
            .Field("Port", s => s.Port)
            .Field("Tags", s => s.Tags)
            .InterfaceField("Extra", s => s.Extra)
            .Method("Address", [TemplateParameterType.String], (s, a) => s.Address((string)a[0]!))
            .Method("Join", [TemplateParameterType.String, TemplateParameterType.String], (s, a) => string.Join((string)a[0]!, a.Skip(1)), variadic: true)
            .Method("Fail", _ => throw new InvalidOperationException("no such thing"))
            .Build();

        public string Name { get; init; } = "";

        public int Port { get; init; }

        public IReadOnlyList<string> Tags { get; init; } = [];

        public object? Extra { get; init; }

        // A public member that is not declared: templates must not see it.
        public string Secret => "hidden";

        TemplateStructType ITemplateStruct.TemplateType => Type;

        public string Address(string scheme) => $"{scheme}://{Name}:{Port}";
    }

    /// <summary>A CLR type that declares nothing to templates.</summary>
    public sealed class Opaque
    {
        public string Name => "x";
    }

    [Fact]
    public void Parse_InvalidTemplate_ThrowsWithGoMessageNameLineAndColumn()
    {
        var e = Assert.Throws<TemplateParseException>(() => GoTemplate.Parse("app.conf", "line1\n  {{if .x}}\n{{end}}{{end}}"));
        Assert.Equal("template: app.conf:3: unexpected {{end}}", e.Message);
        Assert.Equal("app.conf", e.Name);
        Assert.Equal(3, e.Line);
        Assert.Equal("unexpected {{end}}", e.Detail);
        Assert.True(e.Column >= 0);
    }

    [Fact]
    public void Render_MissingKeyError_ThrowsWithGoMessageAndLocation()
    {
        var t = GoTemplate.Parse("app.conf", "a\nb {{.db.host}}", new TemplateOptions { MissingKey = MissingKeyMode.Error });
        var e = Assert.Throws<TemplateExecutionException>(() => t.RenderToString(TemplateData.FromJson("{\"db\":{}}")));
        Assert.Equal("template: app.conf:2:7: executing \"app.conf\" at <.db.host>: map has no entry for key \"host\"", e.Message);
        // Go positions a chained field at its last element.
        Assert.Equal(("app.conf", "app.conf", 2, 7), (e.FileName, e.TemplateName, e.Line, e.Column));
        Assert.Equal("map has no entry for key \"host\"", e.Detail);
    }

    [Fact]
    public void Render_ErrorInsideDefinedTemplate_NamesTheDefinedTemplate()
    {
        var t = GoTemplate.Parse("main", "{{define \"inner\"}}\n{{.x.y}}{{end}}{{template \"inner\" .}}");
        var e = Assert.Throws<TemplateExecutionException>(() => t.RenderToString(TemplateData.FromJson("{\"x\":1}")));
        Assert.Equal("template: main:2:4: executing \"inner\" at <.x.y>: can't evaluate field y in type interface {}", e.Message);
        Assert.Equal("inner", e.TemplateName);
        Assert.Equal(["inner", "main"], t.TemplateNames);
    }

    [Fact]
    public void Render_DeclaredStruct_ExposesFieldsAndMethods()
    {
        var t = GoTemplate.Parse("t", "{{range .}}{{.Name}}:{{.Port}} {{.Address \"https\"}} {{.Join \"+\" \"a\" \"b\"}} {{len .Tags}} {{printf \"%T\" .Port}}\n{{end}}");
        var data = new[] { new Server { Name = "a", Port = 80, Tags = ["x"] }, new Server { Name = "b", Port = 443 } };
        Assert.Equal("a:80 https://a:80 a+b 1 int\nb:443 https://b:443 a+b 0 int\n", t.RenderToString(data));
    }

    [Fact]
    public void Render_ClrObjectUnknownMember_FailsLikeGoStructs()
    {
        var t = GoTemplate.Parse("t", "{{.Nope}}");
        var e = Assert.Throws<TemplateExecutionException>(() => t.RenderToString(new Server()));
        Assert.Equal("can't evaluate field Nope in type main.Server", e.Detail);
        var t2 = GoTemplate.Parse("t", "{{.Name 1}}");
        Assert.Equal("Name has arguments but cannot be invoked as function", Assert.Throws<TemplateExecutionException>(() => t2.RenderToString(new Server())).Detail);
    }

    [Fact]
    public void Render_UndeclaredPublicMember_IsNotVisible()
    {
        var e = Assert.Throws<TemplateExecutionException>(() => GoTemplate.Parse("t", "{{.Secret}}").RenderToString(new Server()));
        Assert.Equal("can't evaluate field Secret in type main.Server", e.Detail);
    }

    [Fact]
    public void Render_TypeDeclaringNothing_IsAnOpaqueStruct()
    {
        var e = Assert.Throws<TemplateExecutionException>(() => GoTemplate.Parse("t", "{{.Name}}").RenderToString(new Opaque()));
        Assert.Equal("can't evaluate field Name in type Opaque", e.Detail);
        Assert.Equal("{} Opaque", GoTemplate.Parse("t", "{{.}} {{printf \"%T\" .}}").RenderToString(new Opaque()));
    }

    [Fact]
    public void Render_DeclaredStruct_PrintsFieldsInDeclaredOrder()
    {
        var server = new Server { Name = "a", Port = 80, Tags = ["x"] };
        Assert.Equal("{a 80 [x] <nil>}|{Name:a Port:80 Tags:[x] Extra:<nil>}|main.Server", GoTemplate.Parse("t", "{{.}}|{{printf \"%+v\" .}}|{{printf \"%T\" .}}").RenderToString(server));
    }

    [Fact]
    public void Render_InterfaceFieldHoldingNil_FailsLikeGoNilInterface()
    {
        var e = Assert.Throws<TemplateExecutionException>(() => GoTemplate.Parse("t", "{{.Extra.X}}").RenderToString(new Server()));
        Assert.Equal("nil pointer evaluating interface {}.X", e.Detail);
    }

    [Fact]
    public void Render_MethodThrows_ReportsErrorCallingMethod()
    {
        var e = Assert.Throws<TemplateExecutionException>(() => GoTemplate.Parse("t", "{{.Fail}}").RenderToString(new Server()));
        Assert.Equal("error calling Fail: no such thing", e.Detail);
    }

    [Fact]
    public void Render_MethodWrongArgumentCount_FailsLikeGo()
    {
        var e = Assert.Throws<TemplateExecutionException>(() => GoTemplate.Parse("t", "{{.Address}}").RenderToString(new Server()));
        Assert.Equal("wrong number of args for Address: want 1 got 0", e.Detail);
        var e2 = Assert.Throws<TemplateExecutionException>(() => GoTemplate.Parse("t", "{{.Address 1}}").RenderToString(new Server()));
        Assert.Equal("expected string; found 1", e2.Detail);
    }

    [Fact]
    public void Render_CallOfFunctionValue_ChecksArgumentsLikeGo()
    {
        var add = new TemplateFunction("add", "add(a int, b int) int", "Adds.", [TemplateParameterType.Integer, TemplateParameterType.Integer], false, a => (long)a[0]! + (long)a[1]!);
        var data = new Dictionary<string, object?> { ["add"] = add };
        Assert.Equal("5 func(...interface {}) (interface {}, error)", GoTemplate.Parse("t", "{{call .add 2 3}} {{printf \"%T\" .add}}").RenderToString(data));
        var e = Assert.Throws<TemplateExecutionException>(() => GoTemplate.Parse("t", "{{call .add 2 \"x\"}}").RenderToString(data));
        Assert.Equal("error calling call: arg 1: value has type string; should be int", e.Detail);
        var e2 = Assert.Throws<TemplateExecutionException>(() => GoTemplate.Parse("t", "{{call .add 2}}").RenderToString(data));
        Assert.Equal("error calling call: wrong number of args: got 1 want 2", e2.Detail);
    }

    [Fact]
    public void Render_SameTemplateFromManyThreads_ProducesIdenticalOutput()
    {
        var t = GoTemplate.Parse("t", "{{range $i, $h := .hosts}}{{$i}}={{printf \"%-6s|%5.2f\" $h.name $h.w}}{{if $h.up}} up{{end}}\n{{end}}");
        var data = TemplateData.FromJson("{\"hosts\":[" + string.Join(",", Enumerable.Range(0, 200).Select(i => $"{{\"name\":\"h{i}\",\"w\":{i}.5,\"up\":{(i % 2 == 0 ? "true" : "false")}}}")) + "]}");
        string expected = t.RenderToString(data);
        var results = new ConcurrentBag<string>();
        Parallel.For(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ => results.Add(t.RenderToString(data)));
        Assert.Equal(64, results.Count);
        Assert.All(results, r => Assert.Equal(expected, r));
        Assert.StartsWith("0=h0    | 0.50 up\n1=h1    | 1.50\n", expected, StringComparison.Ordinal);
    }

    [Fact]
    public void FromJson_Numbers_MapLikeTheOracle()
    {
        var data = (IReadOnlyDictionary<string, object?>)TemplateData.FromJson("{\"i\":1,\"f\":1.0,\"e\":1e2,\"big\":18446744073709551616,\"n\":null,\"l\":[1,\"a\"]}")!;
        Assert.IsType<long>(data["i"]);
        Assert.IsType<double>(data["f"]);
        Assert.IsType<double>(data["e"]);
        Assert.IsType<double>(data["big"]);
        Assert.Null(data["n"]);
        Assert.IsType<List<object?>>(data["l"]);
        Assert.Equal("int float64 float64 float64 []interface {}", GoTemplate.Parse("t", "{{printf \"%T %T %T %T %T\" .i .f .e .big .l}}").RenderToString(data));
    }

    [Fact]
    public void Functions_CustomFunction_OverridesBuiltinAndReportsErrors()
    {
        var registry = FunctionRegistry.CreateBuiltins()
            .Add(new TemplateFunction("len", "len(x any) int", "Always 7.", [TemplateParameterType.Any], false, _ => 7L))
            .Add(new TemplateFunction("fail", "fail(msg string) string", "Fails.", [TemplateParameterType.String], false, a => throw new TemplateFunctionException("boom: " + a[0])));
        var t = GoTemplate.Parse("t", "{{len 1}} {{fail \"x\"}}", new TemplateOptions { Functions = registry });
        var e = Assert.Throws<TemplateExecutionException>(() => t.RenderToString(null));
        Assert.Equal("template: t:1:12: executing \"t\" at <fail \"x\">: error calling fail: boom: x", e.Message);
    }

    [Fact]
    public void Parse_RegistryChangedAfterParse_DoesNotAffectParsedTemplate()
    {
        var registry = FunctionRegistry.CreateBuiltins().Add(new TemplateFunction("v", "v() string", "Version.", [], false, _ => "1"));
        var t = GoTemplate.Parse("t", "{{v}}", new TemplateOptions { Functions = registry });
        registry.Add(new TemplateFunction("v", "v() string", "Version.", [], false, _ => "2"));
        Assert.Equal("1", t.RenderToString(null));
    }

    [Fact]
    public void Render_DeepTemplateRecursion_StopsWithGoDepthErrorInsteadOfOverflowing()
    {
        var t = GoTemplate.Parse("t", "{{define \"r\"}}{{template \"r\" .}}{{end}}{{template \"r\" 1}}");
        var e = Assert.Throws<TemplateExecutionException>(() => t.RenderToString(null));
        Assert.Equal("template: t:1:25: executing \"r\" at <{{template \"r\" .}}>: exceeded maximum template depth (100000)", e.Message);
    }

    [Theory]
    [InlineData(20000)]
    public void ParseAndRender_VeryDeepNesting_WorksLikeGoInsteadOfOverflowing(int depth)
    {
        var parens = GoTemplate.Parse("t", "{{" + new string('(', depth) + "print 1" + new string(')', depth) + "}}");
        Assert.Equal("1", parens.RenderToString(null));
        var ifs = GoTemplate.Parse("t", string.Concat(Enumerable.Repeat("{{if 1}}", depth)) + "x" + string.Concat(Enumerable.Repeat("{{end}}", depth)));
        Assert.Equal("x", ifs.RenderToString(null));
    }

    [Theory]
    [InlineData(MissingKeyMode.Default, "<no value>")]
    [InlineData(MissingKeyMode.Zero, "<no value>")]
    public void Render_MissingKeyModes_MatchGo(MissingKeyMode mode, string expected) =>
        Assert.Equal(expected, GoTemplate.Parse("t", "{{.missing}}", new TemplateOptions { MissingKey = mode }).RenderToString(new Dictionary<string, object?>()));

    [Theory]
    [InlineData("default", MissingKeyMode.Default)]
    [InlineData("invalid", MissingKeyMode.Default)]
    [InlineData("zero", MissingKeyMode.Zero)]
    [InlineData("error", MissingKeyMode.Error)]
    public void ParseMissingKey_GoOptionValues_MapToModes(string value, MissingKeyMode expected) =>
        Assert.Equal(expected, TemplateOptions.ParseMissingKey(value));

    [Fact]
    public void ParseMissingKey_UnknownValue_ThrowsWithGoMessage() =>
        Assert.StartsWith("unrecognized option: missingkey=nope", Assert.Throws<ArgumentException>(() => TemplateOptions.ParseMissingKey("nope")).Message, StringComparison.Ordinal);

    [Fact]
    public void Render_TypedDictionaryData_IsReadAsGoMap()
    {
        var data = new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" };
        var t = GoTemplate.Parse("t", "{{.a}} {{range $k, $v := .}}{{$k}}={{$v}} {{end}}{{printf \"%T\" .}} {{.missing}}", new TemplateOptions { MissingKey = MissingKeyMode.Zero });
        Assert.Equal("1 a=1 b=2 map[string]string ", t.RenderToString(data));
    }
}

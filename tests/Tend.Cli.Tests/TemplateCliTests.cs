using Xunit;

namespace Tend.Cli.Tests;

public sealed class TemplateCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tend-template-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Render_JsonData_PrintsOutput()
    {
        var tmpl = Write("hosts.tmpl", "{{range $n, $h := .hosts}}{{$h.ip}} {{$n}}\n{{end}}{{printf \"%05.1f|%x\" .ratio .n}}\n");
        var data = Write("data.json", """{"hosts": {"web2": {"ip": "10.0.0.2"}, "web1": {"ip": "10.0.0.1"}}, "ratio": 3.14159, "n": 255}""");
        var (code, stdout, stderr) = await TendProcess.RunAsync(null, "template", "render", tmpl, "--data", data);
        Assert.True(code == 0, stderr);
        Assert.Equal("10.0.0.1 web1\n10.0.0.2 web2\n003.1|ff\n", stdout);
    }

    [Fact]
    public async Task Render_YamlData_SameTypesAsJson()
    {
        var tmpl = Write("t.tmpl", "{{printf \"%T=%d\" .port .port}} {{.name | printf \"%q\"}} {{if .on}}on{{end}} {{index .list 1}}");
        var data = Write("d.yaml", "port: 8080\nname: web\non: true\nlist: [a, b]\n");
        var (code, stdout, stderr) = await TendProcess.RunAsync(null, "template", "render", tmpl, "--data", data);
        Assert.True(code == 0, stderr);
        Assert.Equal("int=8080 \"web\" on b\n", stdout);
    }

    [Fact]
    public async Task Render_QuickstartTemplateWithFileStoreKeys_UsesConfdFunctions()
    {
        var tmpl = Write("k.tmpl", "{{range gets \"/hosts/*/address\"}}{{.Value}} {{base (dir .Key)}}\n{{end}}{{getv \"/nope\" \"default\"}}\n");
        var (code, stdout, stderr) = await TendProcess.RunAsync(null, "template", "render", tmpl, "--file", "examples/quickstart/data.yaml");
        Assert.True(code == 0, stderr);
        Assert.Equal("10.0.0.21 db1\n10.0.0.11 web1\n10.0.0.12 web2\ndefault\n", stdout);
    }

    [Fact]
    public async Task Render_StructValues_FieldsMethodsAndPrintingWorkInTheShippedBinary()
    {
        // Struct member access is declared, not reflected: this is the path a trimmed binary would lose.
        var tmpl = Write("s.tmpl", "{{$p := get \"/hosts/web1/address\"}}{{$p.Key}}={{$p.Value}} {{printf \"%+v %T\" $p $p}} {{(datetime).Format \"2006\" | len}} {{gt datetime.Year 2000}}\n");
        var (code, stdout, stderr) = await TendProcess.RunAsync(null, "template", "render", tmpl, "--file", "examples/quickstart/data.yaml");
        Assert.True(code == 0, stderr);
        Assert.Equal("/hosts/web1/address=10.0.0.11 {Key:/hosts/web1/address Value:10.0.0.11} memkv.KVPair 4 true\n", stdout);
    }

    [Fact]
    public async Task Render_ParseError_NameLineColumnExit1()
    {
        var tmpl = Write("bad.tmpl", "line one\n{{if .x}}\nno end\n");
        var (code, stdout, stderr) = await TendProcess.RunAsync(null, "template", "render", tmpl);
        Assert.Equal(1, code);
        Assert.Empty(stdout);
        Assert.Matches(@"^bad\.tmpl:\d+:\d+: .+", stderr.Trim());
    }

    [Fact]
    public async Task Render_MissingKeyError_NameLineColumnExit1()
    {
        var tmpl = Write("m.tmpl", "ok\n  {{.absent}}\n");
        var data = Write("d.json", "{}");
        var (code, stdout, stderr) = await TendProcess.RunAsync(null, "template", "render", tmpl, "--data", data, "--missingkey", "error");
        Assert.Equal(1, code);
        Assert.Empty(stdout);
        Assert.StartsWith("m.tmpl:2:5: ", stderr, StringComparison.Ordinal);
        Assert.Contains("absent", stderr, StringComparison.Ordinal);

        var (defaultCode, defaultOut, _) = await TendProcess.RunAsync(null, "template", "render", tmpl, "--data", data);
        Assert.Equal(0, defaultCode);
        Assert.Equal("ok\n  <no value>\n", defaultOut);
    }

    [Fact]
    public async Task Functions_ListsBuiltinsAndConfd()
    {
        var (code, stdout, _) = await TendProcess.RunAsync(null, "template", "functions");
        Assert.Equal(0, code);
        foreach (var name in new[] { "printf", "index", "getv", "gets", "lsdir", "lookupSRV", "sortByLength", "base64Encode", "seq" })
        {
            Assert.Contains(name, stdout, StringComparison.Ordinal);
        }
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }
}

using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Tend.Templates.Catalog;
using Xunit;
using Xunit.Abstractions;

namespace Tend.Templates.Tests;

/// <summary>
/// Differential tests of a typed nil: the <c>.Node</c> of consul-template's <c>node</c> for a node the catalog does
/// not have, a nil <c>*dependency.Node</c>. gotmpl-oracle's JSON data cannot hold one, so these cases run against
/// tools/gotmpl-nil-oracle (Go's text/template over the same data, where <c>{"$catalogNode": {}}</c> is that answer);
/// Corpus/nil-pointer-expected.jsonl is its output for Corpus/nil-pointer-cases.jsonl.
/// </summary>
public sealed class NilPointerTests(ITestOutputHelper output)
{
    private static readonly string CasesPath = Path.Combine(CorpusCase.CorpusDirectory, "nil-pointer-cases.jsonl");

    [Fact]
    public void Render_EveryNilPointerCase_MatchesStoredGoOutput()
    {
        var expected = Parse(File.ReadAllText(Path.Combine(CorpusCase.CorpusDirectory, "nil-pointer-expected.jsonl")));
        var failures = Compare(expected);
        Assert.True(expected.Count >= 70, $"only {expected.Count} nil-pointer cases");
        Assert.Empty(failures);
    }

    [Fact]
    public void Render_LiveNilOracle_MatchesEveryCase()
    {
        var oracle = Environment.GetEnvironmentVariable("TEND_GOTMPL_NIL_ORACLE");
        Assert.False(
            string.IsNullOrEmpty(oracle),
            "TEND_GOTMPL_NIL_ORACLE is not set: ./test.sh builds the reference (tools/gotmpl-nil-oracle/build.sh OUTPUT, which needs golang-go) and sets it");
        Assert.True(File.Exists(oracle), $"TEND_GOTMPL_NIL_ORACLE points at {oracle}, which does not exist: the reference did not build (see test.sh's output)");
        var psi = new ProcessStartInfo(oracle, ["-cases", CasesPath])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
        };
        using var p = Process.Start(psi)!;
        string stdout = p.StandardOutput.ReadToEnd();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"oracle failed ({p.ExitCode}): {stderr}");
        var live = Parse(stdout);
        var stored = Parse(File.ReadAllText(Path.Combine(CorpusCase.CorpusDirectory, "nil-pointer-expected.jsonl")));

        Assert.Empty(Compare(live));
        Assert.Equal(stored, live);
    }

    [Fact]
    public void Render_MethodOfANilPointer_ArgumentsCheckedThenTheCallFailsAsGoValueMethod()
    {
        // Go: a value method called through a nil pointer panics in the method wrapper, which the template reports.
        var data = new Dictionary<string, object?> { ["h"] = new Holder() };

        var call = Assert.Throws<TemplateExecutionException>(() => GoTemplate.Parse("t", "{{ .h.P.M \"a\" }}").RenderToString(data));

        Assert.Equal("template: t:1:5: executing \"t\" at <.h.P.M>: error calling M: value method main.T.M called using nil *T pointer", call.Message);
        var arity = Assert.Throws<TemplateExecutionException>(() => GoTemplate.Parse("t", "{{ .h.P.M }}").RenderToString(data));
        Assert.Equal("template: t:1:5: executing \"t\" at <.h.P.M>: wrong number of args for M: want 1 got 0", arity.Message);
    }

    private List<string> Compare(Dictionary<string, (string Output, string Error)> expected)
    {
        var failures = new List<string>();
        int total = 0;
        foreach (var line in File.ReadLines(CasesPath).Where(l => l.Trim().Length > 0))
        {
            total++;
            using var doc = JsonDocument.Parse(line);
            var c = doc.RootElement;
            string name = c.GetProperty("name").GetString()!;
            string template = c.GetProperty("template").GetString()!;
            string mk = c.TryGetProperty("missingkey", out var m) ? m.GetString()! : "";
            var got = Run(name, template, c.GetProperty("data").GetRawText(), mk);
            if (!expected.TryGetValue(name, out var want) || got != want)
            {
                failures.Add($"{name}: {JsonSerializer.Serialize(template)}\n   want {want}\n   got  {got}");
            }
        }

        output.WriteLine($"nil-pointer cases: {total}; failed: {failures.Count}");
        foreach (var f in failures)
        {
            output.WriteLine(f);
        }

        return failures;
    }

    private static (string Output, string Error) Run(string name, string template, string dataJson, string missingKey)
    {
        var options = new TemplateOptions
        {
            MissingKey = missingKey switch
            {
                "zero" => MissingKeyMode.Zero,
                "error" => MissingKeyMode.Error,
                _ => MissingKeyMode.Default,
            },
        };
        var sw = new StringWriter();
        try
        {
            GoTemplate.Parse(name, template, options).Render(sw, WithCatalogNodes(TemplateData.FromJson(dataJson)));
            return (sw.ToString(), "");
        }
        catch (TemplateParseException e)
        {
            return ("", e.Message);
        }
        catch (TemplateExecutionException e)
        {
            return (sw.ToString(), e.Message);
        }
    }

    /// <summary>The oracle's data mapping: <c>{"$catalogNode": {}}</c> is a catalog node answer without a node.</summary>
    private static object? WithCatalogNodes(object? value)
    {
        switch (value)
        {
            case Dictionary<string, object?> map when map.Count == 1 && map.ContainsKey("$catalogNode"):
                return new CatalogNode();
            case Dictionary<string, object?> map:
                foreach (var key in map.Keys.ToList())
                {
                    map[key] = WithCatalogNodes(map[key]);
                }

                return map;
            case List<object?> list:
                for (int i = 0; i < list.Count; i++)
                {
                    list[i] = WithCatalogNodes(list[i]);
                }

                return list;
            default:
                return value;
        }
    }

    private static Dictionary<string, (string Output, string Error)> Parse(string jsonLines)
    {
        var results = new Dictionary<string, (string Output, string Error)>(StringComparer.Ordinal);
        foreach (var line in jsonLines.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            results[r.GetProperty("name").GetString()!] = (r.GetProperty("output").GetString()!, r.GetProperty("error").GetString()!);
        }

        return results;
    }

    private sealed class Pointee : ITemplateStruct
    {
        public static readonly TemplateStructType Type = new TemplateStructBuilder<Pointee>("main.T")
            .Field("Name", static _ => "n")
            .Method("M", [TemplateParameterType.String], static (_, a) => a[0])
            .Build();

        TemplateStructType ITemplateStruct.TemplateType => Type;
    }

    private sealed class Holder : ITemplateStruct
    {
        private static readonly TemplateStructType Type = new TemplateStructBuilder<Holder>("main.H")
            .PointerField("P", Pointee.Type, static _ => null)
            .Build();

        TemplateStructType ITemplateStruct.TemplateType => Type;
    }
}

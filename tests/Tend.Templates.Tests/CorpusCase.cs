using System.Text.Json;

namespace Tend.Templates.Tests;

/// <summary>One differential case: a template, its data and Go's expected result.</summary>
internal sealed record CorpusCase(string Name, string Template, string DataJson, string MissingKey, string ExpectedOutput, string ExpectedError)
{
    public static string CorpusDirectory => Path.Combine(AppContext.BaseDirectory, "Corpus");

    public static IReadOnlyList<CorpusCase> Load()
    {
        var casesPath = Path.Combine(CorpusDirectory, "cases.jsonl");
        var expectedPath = Path.Combine(CorpusDirectory, "expected.jsonl");
        var expected = new Dictionary<string, (string Output, string Error)>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(expectedPath))
        {
            if (line.Trim().Length == 0)
            {
                continue;
            }
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            expected[r.GetProperty("name").GetString()!] = (r.GetProperty("output").GetString()!, r.GetProperty("error").GetString()!);
        }
        var cases = new List<CorpusCase>();
        foreach (var line in File.ReadLines(casesPath))
        {
            if (line.Trim().Length == 0)
            {
                continue;
            }
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            string name = r.GetProperty("name").GetString()!;
            string data = r.TryGetProperty("data", out var d) ? d.GetRawText() : "null";
            string mk = r.TryGetProperty("missingkey", out var m) ? m.GetString() ?? "" : "";
            var (output, error) = expected.TryGetValue(name, out var e)
                ? e
                : throw new InvalidOperationException($"no expectation for case {name}: run scripts/regen-template-corpus.sh");
            cases.Add(new CorpusCase(name, r.GetProperty("template").GetString()!, data, mk, output, error));
        }
        return cases;
    }

    public (string Output, string Error) Run(TemplateLimits? limits = null)
    {
        var options = new TemplateOptions
        {
            MissingKey = MissingKey switch
            {
                "zero" => MissingKeyMode.Zero,
                "error" => MissingKeyMode.Error,
                _ => MissingKeyMode.Default,
            },
        };
        var sw = new StringWriter();
        try
        {
            var t = GoTemplate.Parse(Name, Template, options);
            using var never = new CancellationTokenSource();
            t.Render(sw, TemplateData.FromJson(DataJson), limits ?? TemplateLimits.None, never.Token);
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
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return (sw.ToString(), "UNEXPECTED " + e.GetType().Name + ": " + e.Message + " " + e.StackTrace?.Split('\n').FirstOrDefault());
        }
    }
}

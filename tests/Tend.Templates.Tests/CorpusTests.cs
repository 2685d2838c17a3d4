using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace Tend.Templates.Tests;

/// <summary>Differential tests: every corpus case must render exactly as Go's text/template does.</summary>
public sealed class CorpusTests(ITestOutputHelper output)
{
    private static List<string> Compare(IEnumerable<(CorpusCase Case, string Output, string Error)> expectations, out int total, out int errorCases, TemplateLimits? limits = null)
    {
        var failures = new List<string>();
        total = 0;
        errorCases = 0;
        foreach (var (c, expOut, expErr) in expectations)
        {
            total++;
            if (expErr.Length > 0)
            {
                errorCases++;
            }
            var (got, err) = c.Run(limits);
            if (got != expOut || err != expErr)
            {
                failures.Add($"{c.Name}: template {JsonSerializer.Serialize(c.Template)} mk={c.MissingKey}\n" +
                    $"   want out={JsonSerializer.Serialize(expOut)} err={JsonSerializer.Serialize(expErr)}\n" +
                    $"   got  out={JsonSerializer.Serialize(got)} err={JsonSerializer.Serialize(err)}");
            }
        }
        return failures;
    }

    [Fact]
    public void Render_EveryCorpusCase_MatchesGoOracleByteForByte()
    {
        var cases = CorpusCase.Load();
        Assert.True(cases.Count >= 500, $"corpus has only {cases.Count} cases");
        var failures = Compare(cases.Select(c => (c, c.ExpectedOutput, c.ExpectedError)), out int total, out int errorCases);
        output.WriteLine($"corpus cases: {total} (expecting an error: {errorCases}); passed: {total - failures.Count}; failed: {failures.Count}");
        foreach (var f in failures.Take(60))
        {
            output.WriteLine(f);
        }
        Assert.Empty(failures);
    }

    [Fact]
    public void Render_EveryCorpusCaseWithinLimits_MatchesGoOracleByteForByte()
    {
        // The render module's defaults: the limits must never change what a good template renders.
        var limits = new TemplateLimits { Timeout = TimeSpan.FromSeconds(10), MaxOutput = 64L << 20, MaxMemory = 256L << 20 };
        var cases = CorpusCase.Load();
        var failures = Compare(cases.Select(c => (c, c.ExpectedOutput, c.ExpectedError)), out int total, out _, limits);
        output.WriteLine($"corpus cases within limits: {total}; failed: {failures.Count}");
        foreach (var f in failures.Take(60))
        {
            output.WriteLine(f);
        }
        Assert.Empty(failures);
    }

    [Fact]
    public void Render_LiveOracle_MatchesEveryCase()
    {
        string? oracle = Environment.GetEnvironmentVariable("TEND_GOTMPL_ORACLE");
        if (string.IsNullOrEmpty(oracle))
        {
            output.WriteLine("TEND_GOTMPL_ORACLE not set: live oracle run skipped (stored expectations are checked by the other test)");
            return;
        }
        Assert.True(File.Exists(oracle), $"TEND_GOTMPL_ORACLE points at {oracle}, which does not exist");
        var psi = new ProcessStartInfo(oracle, ["-cases", Path.Combine(CorpusCase.CorpusDirectory, "cases.jsonl")])
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
        var live = new Dictionary<string, (string Output, string Error)>(StringComparer.Ordinal);
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            live[r.GetProperty("name").GetString()!] = (r.GetProperty("output").GetString()!, r.GetProperty("error").GetString()!);
        }
        var cases = CorpusCase.Load();
        Assert.Equal(cases.Count, live.Count);
        var stale = cases.Count(c => live[c.Name] != (c.ExpectedOutput, c.ExpectedError));
        var failures = Compare(cases.Select(c => (c, live[c.Name].Output, live[c.Name].Error)), out int total, out _);
        output.WriteLine($"live oracle: {total} cases; passed: {total - failures.Count}; failed: {failures.Count}; stored expectations differing from live: {stale}");
        foreach (var f in failures.Take(30))
        {
            output.WriteLine(f);
        }
        Assert.Empty(failures);
        Assert.Equal(0, stale);
    }
}

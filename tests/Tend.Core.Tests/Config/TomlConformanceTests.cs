using System.Text.Json;
using Tend.Core.Config.Toml;
using Tend.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Tend.Core.Tests.Config;

/// <summary>Runs every file that toml-test lists for TOML 1.0 through the parser.</summary>
public sealed class TomlConformanceTests(ITestOutputHelper output)
{
    [Fact]
    public void Parse_EveryTomlTest10File_MatchesExpectation()
    {
        var corpus = SharedFiles.TomlTestCorpus;
        var listed = SharedFiles.TomlTestListed();
        Assert.NotEmpty(listed);

        var failures = new List<string>();
        var validPassed = 0;
        var invalidRejected = 0;
        foreach (var relative in listed)
        {
            var path = Path.Combine(corpus, relative);
            var bytes = File.ReadAllBytes(path);
            if (relative.StartsWith("valid/", StringComparison.Ordinal))
            {
                var failure = CheckValid(bytes, Path.ChangeExtension(path, ".json"));
                if (failure is null)
                {
                    validPassed++;
                }
                else
                {
                    failures.Add($"{relative}: {failure}");
                }
            }
            else
            {
                var failure = CheckInvalid(bytes);
                if (failure is null)
                {
                    invalidRejected++;
                }
                else
                {
                    failures.Add($"{relative}: {failure}");
                }
            }
        }

        output.WriteLine($"toml-test 1.0: {validPassed} valid passed, {invalidRejected} invalid rejected, of {listed.Count} listed");
        Assert.True(failures.Count == 0, $"{failures.Count} of {listed.Count} files failed:\n" + string.Join("\n", failures));
    }

    [Fact]
    public void Parse_EveryCorpusFileIncludingToml11_ReturnsOrThrowsTomlException()
    {
        // Files outside the 1.0 list (TOML 1.1 features) may go either way, but must never crash the parser.
        var corpus = SharedFiles.Path("conformance/toml-test");
        var failures = new List<string>();
        var files = Directory.EnumerateFiles(corpus, "*.toml", SearchOption.AllDirectories).ToList();
        foreach (var file in files)
        {
            try
            {
                _ = TomlTaggedJson.ToJsonString(TomlParser.Parse(File.ReadAllBytes(file)));
            }
            catch (TomlException)
            {
            }
            catch (Exception ex)
            {
                failures.Add($"{Path.GetRelativePath(corpus, file)}: {ex.GetType().Name}: {ex.Message}");
            }
        }

        output.WriteLine($"{files.Count} corpus files parsed or rejected cleanly");
        Assert.True(files.Count > 0, "no corpus files found");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static string? CheckValid(byte[] toml, string expectedPath)
    {
        string actualJson;
        try
        {
            actualJson = TomlTaggedJson.ToJsonString(TomlParser.Parse(toml));
        }
        catch (Exception ex)
        {
            return $"rejected valid document: {ex.GetType().Name}: {ex.Message}";
        }

        using var expected = JsonDocument.Parse(File.ReadAllText(expectedPath));
        using var actual = JsonDocument.Parse(actualJson);
        return TaggedJsonComparer.Difference(expected.RootElement, actual.RootElement, "$");
    }

    private static string? CheckInvalid(byte[] toml)
    {
        try
        {
            var table = TomlParser.Parse(toml);
            return "accepted an invalid document, producing " + TomlTaggedJson.ToJsonString(table).ReplaceLineEndings(" ");
        }
        catch (TomlException ex)
        {
            return ex.Line >= 1 && ex.Column >= 1 ? null : $"TomlException without a position: {ex.Message}";
        }
        catch (Exception ex)
        {
            return $"threw {ex.GetType().Name} instead of TomlException: {ex.Message}";
        }
    }
}

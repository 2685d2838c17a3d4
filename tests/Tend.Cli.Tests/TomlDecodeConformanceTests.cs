using System.Text.Json;
using Tend.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Tend.Cli.Tests;

/// <summary>Runs <c>tend debug toml-decode</c>'s implementation over every file toml-test lists for TOML 1.0.</summary>
public sealed class TomlDecodeConformanceTests(ITestOutputHelper output)
{
    [Fact]
    public void TomlDecode_WholeToml10List_ValidDecodedInvalidRejected()
    {
        var corpus = SharedFiles.TomlTestCorpus;
        var listed = SharedFiles.TomlTestListed();
        Assert.NotEmpty(listed);

        int valid = 0, invalid = 0;
        var failures = new List<string>();
        foreach (var file in listed)
        {
            var bytes = File.ReadAllBytes(Path.Combine(corpus, file));
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();
            int code = Tend.Cli.DebugCommands.TomlDecode(bytes, stdout, stderr);
            if (file.StartsWith("valid/", StringComparison.Ordinal))
            {
                if (code != 0)
                {
                    failures.Add($"{file}: rejected: {stderr}");
                    continue;
                }

                using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(corpus, Path.ChangeExtension(file, ".json"))));
                using var actual = JsonDocument.Parse(stdout.ToString());
                var diff = TaggedJsonComparer.Difference(expected.RootElement, actual.RootElement, "$");
                if (diff is null)
                {
                    valid++;
                }
                else
                {
                    failures.Add($"{file}: {diff}");
                }
            }
            else if (code == 1 && stderr.ToString().Contains("invalid TOML: ", StringComparison.Ordinal) && stdout.ToString().Length == 0)
            {
                invalid++;
            }
            else
            {
                failures.Add($"{file}: accepted (exit {code})");
            }
        }

        output.WriteLine($"tend debug toml-decode, toml-test 1.0: {valid} valid decoded, {invalid} invalid rejected, of {listed.Count} listed");
        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.Equal(listed.Count, valid + invalid);
    }

    [Fact]
    public async Task TomlDecode_RealProcess_SampleOfCorpus()
    {
        var corpus = SharedFiles.Path("conformance/toml-test");
        var text = await File.ReadAllTextAsync(Path.Combine(corpus, "valid", "example.toml"));
        var (code, stdout, _) = await TendProcess.RunAsync(text, "debug", "toml-decode");
        Assert.Equal(0, code);
        using var expected = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(corpus, "valid", "example.json")));
        using var actual = JsonDocument.Parse(stdout);
        Assert.Null(TaggedJsonComparer.Difference(expected.RootElement, actual.RootElement, "$"));
    }
}

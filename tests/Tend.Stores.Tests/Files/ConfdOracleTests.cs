using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Tend.Core.Kv;
using Tend.Stores.Files;
using Xunit;
using Xunit.Abstractions;

namespace Tend.Stores.Tests.Files;

/// <summary>
/// The file store's confd mode against the reference: tools/confd-yaml-oracle, confd's file
/// backend walk over Debian's gopkg.in/yaml.v2 (test.sh builds it and sets
/// TEND_CONFD_YAML_ORACLE). Every generated scalar must give the same key and value, or no key.
/// </summary>
public sealed class ConfdOracleTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tend-confd-oracle-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Parse_GeneratedPlainScalars_SameAsConfdsDecoder()
    {
        var scalars = PlainCorpus();
        Compare("plain.yaml", Lines(scalars), scalars);
    }

    [Fact]
    public void Parse_QuotedTaggedAndNestedValues_SameAsConfdsDecoder()
    {
        string[] values =
        [
            "\"\"", "''", "\"yes\"", "'0x1F'", "\"3.50\"", "!!str 12", "!!str yes", "!!int 0x1F", "!!int \"12\"", "!!float 1", "!!float 0x10", "!!float 2.5e+3",
            "!!bool yes", "!!bool \"off\"", "!!null ~", "!!null \"\"", "!foo 12", "! 12", "!!binary aGVsbG8=", "|\n  yes", ">\n  1.5\n  2", "|-\n  0x1F",
            "[1, ~, \"\", 3.50, yes, null]", "{a: 1, b: ~, c: 0x10}", "", "\n  - 1\n  - ~\n  -\n  - .5", "\n  n1: 0o17\n  n2: ''\n  n3:",
        ];
        Compare("special.yaml", Lines(values), values);
    }

    [Fact]
    public void Parse_JsonNumbersAndLiterals_SameAsConfdsDecoder()
    {
        string[] values =
        [
            "0", "-0", "1.50", "1e5", "1E+2", "1.5e-7", "-12", "12345678901234567890", "9223372036854775808", "1e400", "1E+400", "0.1", "-0.0",
            "true", "false", "null", "\"yes\"", "\"\"", "\"0x1F\"", "[1, null, 2.0]", "{\"a\": null, \"b\": 1.0}",
        ];
        var text = "{" + string.Join(",\n", values.Select((v, i) => $"\"k{i}\": {v}")) + "}\n";
        Compare("values.json", text, values);
    }

    /// <summary>Scalars that may be numbers, words of the decoder's table, and random mixes of number characters.</summary>
    private static List<string> PlainCorpus()
    {
        var corpus = new List<string>();
        string[] words = ["y", "yes", "true", "on", "n", "no", "false", "off", "null", "~", ".nan", ".inf", "+.inf", "-.inf", "<<", "nul", "tru", "yess", ".infinity"];
        foreach (var w in words)
        {
            corpus.AddRange([w, w.ToUpperInvariant(), w.Length > 1 ? char.ToUpperInvariant(w[0]) + w[1..] : w, w.Length > 2 ? w[..2].ToUpperInvariant() + w[2..] : w]);
        }

        string[] ints =
        [
            "0", "7", "00", "08", "010", "0779", "123", "0x1F", "0X1f", "0x", "0xg", "0o17", "0O8", "0o", "0b101", "0B2", "0b", "1_000", "1__0", "0x_1F", "1_", "9223372036854775807",
            "9223372036854775808", "18446744073709551615", "18446744073709551616", "0x7FFFFFFFFFFFFFFF", "0x8000000000000000", "0xFFFFFFFFFFFFFFFF", "0x10000000000000000",
            "0777777777777777777777", "01000000000000000000000", "02000000000000000000000", "0b1111111111111111111111111111111111111111111111111111111111111111",
        ];
        string[] mantissas = ["1.5", "3.50", "1.0", "0.1", "1.", "0.", "00.5", "1_0.5", ".5", ".5_5", "._5", ".5_", "123456789.123456789", "0.000001", "1.7976931348623157", "4.9", "2", "10"];
        string[] exponents = ["", "e3", "e+3", "e-3", "E+10", "e+308", "e+309", "e-324", "e-400", "E-5", "e+0", "e", "e+", "e_1", "e+1_0"];
        foreach (var sign in new[] { string.Empty, "+", "-" })
        {
            corpus.AddRange(ints.Select(i => sign + i));
            corpus.AddRange(mantissas.SelectMany(_ => exponents, (m, e) => sign + m + e));
        }

        corpus.AddRange(["2001-12-14", "2001-12-14T21:59:43.10Z", "2001-12-14 21:59:43.10", "10.0.0.1", "1.2.3", "1:30", "_1", "1e", "web1", "+", "--1", "-+1", "+-1"]);

        // Random mixes: seeded, so a failure names a case that comes back on the next run.
        var random = new Random(20261205);
        const string alphabet = "0123456789+-._eExXoObBaAfF";
        for (int i = 0; i < 4000; i++)
        {
            var sb = new StringBuilder();
            int length = random.Next(1, 14);
            for (int j = 0; j < length; j++)
            {
                sb.Append(alphabet[random.Next(alphabet.Length)]);
            }

            var s = sb.ToString();
            if (s != "-")
            {
                corpus.Add(s); // a lone "-" would start a list, not be a scalar
            }
        }

        return corpus;
    }

    private static string Lines(IReadOnlyList<string> values) =>
        string.Concat(values.Select((v, i) => $"k{i}: {v}\n"));

    private void Compare(string name, string text, IReadOnlyList<string> values)
    {
        var oracle = Environment.GetEnvironmentVariable("TEND_CONFD_YAML_ORACLE");
        Assert.False(
            string.IsNullOrEmpty(oracle),
            "TEND_CONFD_YAML_ORACLE is not set: ./test.sh builds the reference (tools/confd-yaml-oracle/build.sh OUTPUT, which needs golang-go and golang-gopkg-yaml.v2-dev) and sets it");
        Assert.True(File.Exists(oracle), $"TEND_CONFD_YAML_ORACLE points at {oracle}, which does not exist: the reference did not build (see test.sh's output)");

        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        var expected = RunOracle(oracle, path);

        var pairs = new List<KvPair>();
        FileDataParser.Parse(path, text, pairs, new DataFileLoad(DataFileLimits.Default, FileStoreValues.Confd));
        var actual = pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

        var failures = new List<string>();
        foreach (var key in expected.Keys.Union(actual.Keys).Order(StringComparer.Ordinal))
        {
            expected.TryGetValue(key, out var want);
            actual.TryGetValue(key, out var got);
            if (want != got)
            {
                failures.Add($"{key} ({Source(key, values)}): confd {Show(want)}, tend {Show(got)}");
            }
        }

        output.WriteLine($"{name}: {values.Count} values, {expected.Count} keys from the reference, {failures.Count} differences");
        foreach (var f in failures.Take(40))
        {
            output.WriteLine(f);
        }

        Assert.True(failures.Count == 0, $"{failures.Count} differences from confd's decoder, first: {failures.FirstOrDefault()}");
    }

    private static Dictionary<string, string> RunOracle(string oracle, string path)
    {
        var psi = new ProcessStartInfo(oracle, [path])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
        };
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"the reference failed ({p.ExitCode}): {stderr.Result}");
        using var doc = JsonDocument.Parse(stdout);
        return doc.RootElement.EnumerateObject().ToDictionary(e => e.Name, e => e.Value.GetString()!, StringComparer.Ordinal);
    }

    private static string Source(string key, IReadOnlyList<string> values)
    {
        // "/k12/..." came from the twelfth value.
        var first = key.Split('/', StringSplitOptions.RemoveEmptyEntries)[0];
        return first.Length > 1 && int.TryParse(first.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out int i) && i < values.Count
            ? $"from {JsonSerializer.Serialize(values[i])}"
            : "unknown value";
    }

    private static string Show(string? value) => value is null ? "no key" : JsonSerializer.Serialize(value);
}

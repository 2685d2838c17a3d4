using System.Text;
using Tend.Core.Config.Toml;
using Xunit;

namespace Tend.Core.Tests.Config;

public sealed class TomlParserErrorTests
{
    [Theory]
    [InlineData("a = 1\nb = @\n", 2, 5)]
    [InlineData("a = 1\na = 2\n", 2, 1)]
    [InlineData("[http]\nport = 1\n  [http]\n", 3, 4)]
    [InlineData("x = \"abc\n", 1, 9)]
    [InlineData("x = \"abc", 1, 5)]
    [InlineData("x = 1 2\n", 1, 7)]
    [InlineData("x = 0123", 1, 5)]
    [InlineData("x = 9223372036854775808", 1, 5)]
    [InlineData("x = 1979-02-29", 1, 5)]
    [InlineData("x = 12:60:00", 1, 5)]
    [InlineData("x = \"\\q\"", 1, 6)]
    [InlineData("x = [1,,2]", 1, 8)]
    [InlineData("x = {a = 1,}", 1, 12)]
    [InlineData("x = {a = 1\n}", 1, 11)]
    [InlineData("t = {a = 1}\nt.b = 2\n", 2, 1)]
    [InlineData("[t]\nx = 1\n[t.x]\n", 3, 4)]
    [InlineData("a.b = 1\n[a]\n", 2, 2)]
    [InlineData("[a.b]\n[a]\nb.c = 1\n", 3, 1)]
    [InlineData("[[a]]\n[a]\n", 2, 2)]
    [InlineData("a = []\n[[a]]\n", 2, 3)]
    [InlineData("a = 1\r\rb = 2", 1, 6)]
    [InlineData("k = \"\u00e9\u0001\"", 1, 7)]
    [InlineData("\U0001F600 = 1", 1, 1)]
    [InlineData("x = '''a''''''", 1, 14)]
    [InlineData("x = 1.", 1, 5)]
    [InlineData("x = 1_", 1, 5)]
    [InlineData("x = 0x", 1, 5)]
    [InlineData("x = \"\\uD800\"", 1, 6)]
    [InlineData("# ok\n= 1", 2, 1)]
    public void Parse_InvalidDocument_ThrowsAtPosition(string text, int line, int column)
    {
        var ex = Assert.Throws<TomlException>(() => TomlParser.Parse(text));

        Assert.Equal((line, column), (ex.Line, ex.Column));
        Assert.StartsWith($"{line}:{column}: ", ex.Message, StringComparison.Ordinal);
        Assert.Equal(ex.Message, ex.ToString());
        Assert.Equal(ex.Message, $"{line}:{column}: {ex.Reason}");
    }

    [Fact]
    public void Parse_ColumnAfterAstralCharacter_CountsCodePoints()
    {
        var ex = Assert.Throws<TomlException>(() => TomlParser.Parse("k = \"\U0001F600\" x"));

        Assert.Equal((1, 9), (ex.Line, ex.Column));
    }

    [Fact]
    public void Parse_InvalidUtf8_ThrowsAtOffendingByte()
    {
        byte[] bytes = [.. "a = 1\nb = \"x"u8, 0xC3, 0x28, .. "\"\n"u8];

        var ex = Assert.Throws<TomlException>(() => TomlParser.Parse(bytes));

        Assert.Equal((2, 7), (ex.Line, ex.Column));
        Assert.Contains("UTF-8", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_LoneSurrogateInString_Throws()
    {
        var ex = Assert.Throws<TomlException>(() => TomlParser.Parse("k = \"\uD800\""));

        Assert.Equal((1, 6), (ex.Line, ex.Column));
    }

    [Theory]
    [InlineData("[", "]")]
    [InlineData("{a=", "}")]
    public void Parse_DeepNesting_ThrowsInsteadOfOverflowingStack(string open, string close)
    {
        const int depth = 200_000;
        var text = "x = " + string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth));

        var ex = Assert.Throws<TomlException>(() => TomlParser.Parse(text));

        Assert.Contains("nested", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NestingAtLimit_IsAccepted()
    {
        var depth = TomlReader.MaxNestingDepth;
        var text = "x = " + new string('[', depth) + new string(']', depth);

        Assert.True(TomlParser.Parse(text).TryGetArray("x", out _));
    }

    [Fact]
    public void Parse_VeryLongDottedKey_ThrowsInsteadOfOverflowingStack()
    {
        var text = "x = {" + string.Join('.', Enumerable.Repeat("k", 100_000)) + " = 1}";

        var ex = Assert.Throws<TomlException>(() => TomlParser.Parse(text));

        Assert.Contains("dotted key", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DottedKeysInsideNestedInlineTables_CountTowardsNestingLimit()
    {
        var key = string.Join('.', Enumerable.Repeat("k", 100));
        var text = $"x = {{{key} = {{{key} = 1}}}}";

        var ex = Assert.Throws<TomlException>(() => TomlParser.Parse(text));

        Assert.Contains("nested", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_HugeSingleLineArray_FinishesQuickly()
    {
        // Positions are computed per value; they must not rescan the line from its start each time.
        var text = "x = [" + string.Concat(Enumerable.Repeat("1, ", 300_000)) + "]";
        var watch = System.Diagnostics.Stopwatch.StartNew();

        Assert.True(TomlParser.Parse(text).TryGetArray("x", out var array));

        Assert.Equal(300_000, array.Count);
        Assert.Equal((1, 900_003), (array[^1].Line, array[^1].Column));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Parse_HugeSingleLineInlineTable_FinishesQuickly()
    {
        var text = "x = {" + string.Join(", ", Enumerable.Range(0, 100_000).Select(i => $"k{i} = {i}")) + "}";
        var watch = System.Diagnostics.Stopwatch.StartNew();

        Assert.True(TomlParser.Parse(text).TryGetTable("x", out var table));

        Assert.Equal(100_000, table.Count);
        Assert.Equal((1, 6), (table.Entries[0].Line, table.Entries[0].Column));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Parse_MutatedCorpusDocuments_OnlyEverThrowTomlException()
    {
        // Deterministic mutation fuzzing over the valid corpus: truncations, byte flips and insertions of
        // syntax characters must either parse or fail with a positioned TomlException.
        var corpus = Tend.Testing.SharedFiles.Path("conformance/toml-test/valid");
        var random = new Random(20261122);
        byte[] interesting = "[]{}\"'=.,#\\\r\n \t0_:+-eExZ"u8.ToArray();
        var failures = new List<string>();
        foreach (var file in Directory.EnumerateFiles(corpus, "*.toml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var original = File.ReadAllBytes(file);
            for (var round = 0; round < 30; round++)
            {
                var mutated = Mutate(original, random, interesting);
                try
                {
                    var table = TomlParser.Parse(mutated);
                    _ = TomlTaggedJson.ToJsonString(table);
                }
                catch (TomlException ex) when (ex.Line >= 1 && ex.Column >= 1)
                {
                }
                catch (Exception ex)
                {
                    failures.Add($"{Path.GetFileName(file)} round {round}: {ex.GetType().Name}: {ex.Message} input: {Convert.ToBase64String(mutated)}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static byte[] Mutate(byte[] original, Random random, byte[] interesting)
    {
        var bytes = new List<byte>(original);
        var edits = random.Next(1, 4);
        for (var e = 0; e < edits; e++)
        {
            var at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(4))
            {
                case 0 when bytes.Count > 0:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 1 when bytes.Count > 0:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 2:
                    bytes.Insert(at, interesting[random.Next(interesting.Length)]);
                    break;
                default:
                    if (bytes.Count > 0)
                    {
                        bytes.RemoveAt(at);
                    }

                    break;
            }
        }

        return [.. bytes];
    }

    [Fact]
    public void Parse_ErrorInSecondLineAfterCrlf_ReportsLineTwo()
    {
        var ex = Assert.Throws<TomlException>(() => TomlParser.Parse(Encoding.UTF8.GetBytes("a = 1\r\nb = tru\r\n")));

        Assert.Equal((2, 5), (ex.Line, ex.Column));
    }
}

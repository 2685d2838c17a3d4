using Tend.Core.Config;
using Tend.Core.Config.Hcl;
using Xunit;

namespace Tend.Core.Tests.Config.Hcl;

/// <summary>The HCL reader: the subset consul-template's files use, and every error with its position.</summary>
public sealed class HclParserTests
{
    [Fact]
    public void Parse_AttributesBlocksAndComments_Read()
    {
        const string text = """
            # a comment
            log_level = "info" // trailing comment
            /* a block
               comment */
            max_stale = 10
            enabled = true
            ratio = 1.5
            consul {
              address = "127.0.0.1:8500"
              retry { attempts = 12 }
            }
            list = ["a", "b",
              "c",]
            map = { a = 1, b = "two" }
            "quoted key" = false
            """;

        var root = HclParser.Parse("t.hcl", text);

        Assert.Equal(["log_level", "max_stale", "enabled", "ratio", "consul", "list", "map", "quoted key"], root.Entries.Select(e => e.Key));
        Assert.Equal("info", root.All("log_level").Single().Value.Text);
        Assert.True(root.All("max_stale").Single().Value.TryInteger(out var n) && n == 10);
        Assert.True(root.All("enabled").Single().Value.Bool);
        Assert.Equal("1.5", root.All("ratio").Single().Value.Text);
        var consul = root.All("consul").Single().Value.Object;
        Assert.Equal("127.0.0.1:8500", consul.All("address").Single().Value.Text);
        Assert.Equal(HclKind.Object, consul.All("retry").Single().Value.Kind);
        Assert.Equal(["a", "b", "c"], root.All("list").Single().Value.Items.Select(i => i.Text));
        Assert.Equal(["a", "b"], root.All("map").Single().Value.Object.Entries.Select(e => e.Key));
        Assert.False(root.All("quoted key").Single().Value.Bool);
    }

    [Fact]
    public void Parse_RepeatedBlocks_KeptInOrderWithPositions()
    {
        var root = HclParser.Parse("t.hcl", "template {\n  source = \"a\"\n}\n\ntemplate {\n  source = \"b\"\n}\n");

        var blocks = root.All("template").ToList();
        Assert.Equal(2, blocks.Count);
        Assert.Equal((1, 1), (blocks[0].Line, blocks[0].Column));
        Assert.Equal((5, 1), (blocks[1].Line, blocks[1].Column));
        Assert.Equal("b", blocks[1].Value.Object.All("source").Single().Value.Text);
    }

    [Theory]
    [InlineData("x = \"a\\nb\"", "a\nb")]
    [InlineData("x = \"tab\\there\"", "tab\there")]
    [InlineData("x = \"q\\\"q\"", "q\"q")]
    [InlineData("x = \"back\\\\slash\"", "back\\slash")]
    [InlineData("x = \"\\u00e9\"", "é")]
    [InlineData("x = \"\\U0001F600\"", "😀")]
    [InlineData("x = \"${env(\"HOME\")}\"", "${env(\"HOME\")}")]
    public void Parse_StringEscapes_Decoded(string text, string expected) =>
        Assert.Equal(expected, HclParser.Parse("t.hcl", text).Entries[0].Value.Text);

    [Fact]
    public void Parse_Heredoc_KeepsLinesAndEndsWithNewline()
    {
        var root = HclParser.Parse("t.hcl", "contents = <<EOF\n{{ key \"a\" }}\n  indented\nEOF\nnext = 1\n");

        Assert.Equal("{{ key \"a\" }}\n  indented\n", root.All("contents").Single().Value.Text);
        Assert.Single(root.All("next"));
    }

    [Fact]
    public void Parse_IndentedHeredoc_StripsCommonIndentation()
    {
        var root = HclParser.Parse("t.hcl", "template {\n  contents = <<-EOT\n    a\n      b\n    EOT\n}\n");

        Assert.Equal("a\n  b\n", root.All("template").Single().Value.Object.All("contents").Single().Value.Text);
    }

    [Theory]
    [InlineData("0644", 420)]
    [InlineData("420", 420)]
    [InlineData("0x1A4", 420)]
    [InlineData("-3", -3)]
    public void TryInteger_HclBases_Read(string literal, long expected)
    {
        var value = HclParser.Parse("t.hcl", $"perms = {literal}").Entries[0].Value;

        Assert.True(value.TryInteger(out var n));
        Assert.Equal(expected, n);
    }

    [Fact]
    public void Parse_CrLfLineEnds_Read() =>
        Assert.Equal("b", HclParser.Parse("t.hcl", "a = 1\r\nx = \"b\"\r\n").Entries[1].Value.Text);

    [Fact]
    public void Parse_LabelledBlock_NestsObjects()
    {
        var root = HclParser.Parse("t.hcl", "service \"web\" {\n  port = 80\n}\n");

        var web = root.All("service").Single().Value.Object.All("web").Single().Value.Object;
        Assert.True(web.All("port").Single().Value.TryInteger(out var port) && port == 80);
    }

    [Theory]
    [InlineData("x = \"abc", 1, 5, "string is not closed")]
    [InlineData("x = \"a\\qb\"", 1, 7, "unknown escape \\q")]
    [InlineData("x = \"\\u12\"", 1, 6, "\\u needs 4 hex digits")]
    [InlineData("x =\n", 1, 4, "\"x\" has no value after '='")]
    [InlineData("x", 1, 2, "\"x\" needs '=' and a value")]
    [InlineData("x 5", 1, 3, "expected '=' or '{' after \"x\"")]
    [InlineData("consul {\n  address = \"a\"\n", 1, 8, "'{' is never closed")]
    [InlineData("}", 1, 1, "unexpected '}'")]
    [InlineData("x = [1, 2", 1, 5, "'[' is never closed")]
    [InlineData("x = [1 2]", 1, 8, "expected ',' or ']'")]
    [InlineData("x = yes", 1, 5, "unexpected word 'yes'")]
    [InlineData("x = 1 y = 2", 1, 7, "put each entry on its own line")]
    [InlineData("a = 1\n/* never closed", 2, 1, "comment /* is never closed")]
    [InlineData("x = <<EOF\nabc\n", 1, 5, "heredoc is never closed")]
    [InlineData("x = <<\nabc\n", 1, 7, "heredoc needs a marker")]
    [InlineData("x = 12ab", 1, 5, "'12ab' is not a number")]
    [InlineData("x = @", 1, 5, "expected a value, found '@'")]
    [InlineData("\"\" = 1", 1, 1, "a key must not be empty")]
    public void Parse_Malformed_ErrorAtPosition(string text, int line, int column, string reason)
    {
        var ex = Assert.Throws<ConfigException>(() => HclParser.Parse("bad.hcl", text));

        Assert.Equal((line, column), (ex.Line, ex.Column));
        Assert.Contains(reason, ex.Reason, StringComparison.Ordinal);
        Assert.StartsWith($"bad.hcl:{line}:{column}: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DeepNesting_RefusedNotStackOverflow()
    {
        var text = "x = " + new string('[', 10_000) + new string(']', 10_000);

        var ex = Assert.Throws<ConfigException>(() => HclParser.Parse("deep.hcl", text));
        Assert.Contains("nesting deeper than", ex.Message, StringComparison.Ordinal);
    }
}

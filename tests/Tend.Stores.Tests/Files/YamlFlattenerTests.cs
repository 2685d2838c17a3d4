using Tend.Stores.Files;
using Xunit;

namespace Tend.Stores.Tests.Files;

public sealed class YamlFlattenerTests
{
    private const string File = "/data/hosts.yaml";

    [Fact]
    public void Parse_NestedMaps_KeysArePaths()
    {
        var pairs = Parse("""
            a:
              b:
                c: 1
              d: 2
            e: 3
            """);
        Assert.Equal([("/a/b/c", "1"), ("/a/d", "2"), ("/e", "3")], pairs);
    }

    [Fact]
    public void Parse_Sequences_ItemsIndexedFromZero()
    {
        var pairs = Parse("""
            list: [x, y]
            nested:
              - [p, q]
              - name: r
            top:
              - - deep
            """);
        Assert.Equal(
            [("/list/0", "x"), ("/list/1", "y"), ("/nested/0/0", "p"), ("/nested/0/1", "q"), ("/nested/1/name", "r"), ("/top/0/0", "deep")],
            pairs);
    }

    [Fact]
    public void Parse_ScalarsOfEveryKind_TextKeptAsWrittenAndNullsEmpty()
    {
        var pairs = Parse("""
            octal: 0800
            float: 3.50
            bool: yes
            dq: "a \"b\"\tc"
            sq: 'it''s'
            literal: |
              line1
              line2
            folded: >
              one
              two
            tilde: ~
            null1: null
            null2: NULL
            empty:
            quoted_null: "null"
            tagged: !!str 12
            """);
        Assert.Equal(
            [
                ("/octal", "0800"), ("/float", "3.50"), ("/bool", "yes"), ("/dq", "a \"b\"\tc"), ("/sq", "it's"),
                ("/literal", "line1\nline2\n"), ("/folded", "one two\n"), ("/tilde", ""), ("/null1", ""), ("/null2", ""),
                ("/empty", ""), ("/quoted_null", "null"), ("/tagged", "12"),
            ],
            pairs);
    }

    [Fact]
    public void Parse_KeyThatIsAPath_JoinedUnderItsParent()
    {
        var pairs = Parse("""
            svc:
              "/web/port": 80
              web: {host: h1}
            """);
        Assert.Equal([("/svc/web/port", "80"), ("/svc/web/host", "h1")], pairs);
    }

    [Fact]
    public void Parse_AnchorsAndAliases_AliasRepeatsTheAnchoredPairsUnderItsKey()
    {
        var pairs = Parse("""
            defaults: &d
              port: 80
              tags: &t [a, b]
            web: *d
            web_tags: *t
            name: &n web1
            copy: *n
            *n : by-alias
            """);
        Assert.Equal(
            [
                ("/defaults/port", "80"), ("/defaults/tags/0", "a"), ("/defaults/tags/1", "b"),
                ("/web/port", "80"), ("/web/tags/0", "a"), ("/web/tags/1", "b"),
                ("/web_tags/0", "a"), ("/web_tags/1", "b"),
                ("/name", "web1"), ("/copy", "web1"), ("/web1", "by-alias"),
            ],
            pairs);
    }

    [Fact]
    public void Parse_SeveralDocuments_AllFlattenedInOrder()
    {
        Assert.Equal([("/a", "1"), ("/b", "2")], Parse("a: 1\n---\nb: 2\n"));
    }

    [Fact]
    public void Parse_OnlyComments_NoPairs()
    {
        Assert.Empty(Parse("# nothing here\n"));
        Assert.Empty(Parse(string.Empty));
    }

    [Fact]
    public void Parse_BadIndentation_ErrorNamesFileAndLine()
    {
        var ex = Assert.Throws<FileStoreFormatException>(() => Parse("a: 1\nb:\n  c: 2\n d: 3\n"));
        Assert.StartsWith(File + ":4:", ex.Message, StringComparison.Ordinal);
        Assert.Contains("invalid YAML", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnclosedFlowSequence_ErrorNamesFileLineAndColumn()
    {
        var ex = Assert.Throws<FileStoreFormatException>(() => Parse("a: 1\nb: [unclosed\nc: 3\n"));
        Assert.Matches(@"^/data/hosts\.yaml:\d+:\d+: invalid YAML", ex.Message);
    }

    [Fact]
    public void Parse_DuplicateKey_ErrorNamesTheSecondOne()
    {
        var ex = Assert.Throws<FileStoreFormatException>(() => Parse("a: 1\nb: 2\na: 3\n"));
        Assert.StartsWith(File + ":3:1: invalid YAML: Duplicate key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_AliasWithoutAnchor_ErrorNamesLine()
    {
        var ex = Assert.Throws<FileStoreFormatException>(() => Parse("a: 1\nb: *missing\n"));
        Assert.StartsWith(File + ":2:4: invalid YAML", ex.Message, StringComparison.Ordinal);
        Assert.Contains("*missing", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MapAsKey_ErrorNamesLineAndColumn()
    {
        var ex = Assert.Throws<FileStoreFormatException>(() => Parse("a: 1\n? {x: 1}\n: v\n"));
        Assert.StartsWith(File + ":2:3: a map key must be a plain value", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DocumentIsOneScalar_Rejected()
    {
        var ex = Assert.Throws<FileStoreFormatException>(() => Parse("just text\n"));
        Assert.Contains("single value", ex.Message, StringComparison.Ordinal);
    }

    private static List<(string, string)> Parse(string text) =>
        [.. FileDataParser.Parse(File, text).Select(p => (p.Key, p.Value))];
}

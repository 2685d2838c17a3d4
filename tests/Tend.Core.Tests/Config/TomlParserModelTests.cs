using Tend.Core.Config.Toml;
using Xunit;

namespace Tend.Core.Tests.Config;

public sealed class TomlParserModelTests
{
    [Fact]
    public void Parse_KeyValue_RecordsKeyAndValuePositions()
    {
        var root = TomlParser.Parse("# comment\n  port =   8080\n");

        var entry = Assert.Single(root.Entries);
        Assert.Equal("port", entry.Key);
        Assert.Equal((2, 3), (entry.Line, entry.Column));
        Assert.Equal((2, 12), (entry.Value.Line, entry.Value.Column));
        Assert.Equal(8080, Assert.IsType<TomlInteger>(entry.Value).Value);
    }

    [Fact]
    public void Parse_DottedKey_EachSegmentHasItsOwnPosition()
    {
        var root = TomlParser.Parse("a . \"b c\".d = true");

        Assert.True(root.TryGetEntry("a", out var a));
        Assert.Equal((1, 1), (a.Line, a.Column));
        var aTable = Assert.IsType<TomlTable>(a.Value);
        Assert.Equal(TomlTableOrigin.DottedKey, aTable.Origin);
        Assert.True(aTable.TryGetEntry("b c", out var bc));
        Assert.Equal((1, 5), (bc.Line, bc.Column));
        Assert.True(((TomlTable)bc.Value).TryGetBoolean("d", out var d));
        Assert.True(d);
    }

    [Fact]
    public void Parse_Headers_RecordOriginAndHeaderPosition()
    {
        var root = TomlParser.Parse("[http.tls]\ncert = \"x\"\n\n[http]\nlisten = \":80\"\n[[backend]]\n[[backend]]\nname = \"b\"\nt = { k = 1 }\n");

        Assert.True(root.TryGetTable("http", out var http));
        Assert.Equal(TomlTableOrigin.Header, http.Origin);
        Assert.Equal((4, 1), (http.Line, http.Column));
        Assert.Equal(["tls", "listen"], http.Entries.Select(e => e.Key));
        Assert.True(http.TryGetTable("tls", out var tls));
        Assert.Equal((1, 1), (tls.Line, tls.Column));

        Assert.True(root.TryGetArray("backend", out var backends));
        Assert.True(backends.IsArrayOfTables);
        Assert.Equal(2, backends.Count);
        var second = Assert.IsType<TomlTable>(backends[1]);
        Assert.Equal(TomlTableOrigin.ArrayElement, second.Origin);
        Assert.Equal(7, second.Line);
        Assert.True(second.TryGetString("name", out var name));
        Assert.Equal("b", name);
        Assert.True(second.TryGetTable("t", out var inline));
        Assert.Equal(TomlTableOrigin.Inline, inline.Origin);
        Assert.Equal((9, 5), (inline.Line, inline.Column));
    }

    [Fact]
    public void TryGetString_ValueOfOtherType_ReturnsFalseButEntryExists()
    {
        var root = TomlParser.Parse("listen = 80");

        Assert.False(root.TryGetString("listen", out _));
        Assert.False(root.TryGetString("missing", out _));
        Assert.True(root.TryGetEntry("listen", out var entry));
        Assert.Equal(TomlValueKind.Integer, entry.Value.Kind);
    }

    [Theory]
    [InlineData("0xDEAD_beef", 0xDEADBEEF)]
    [InlineData("0o755", 493)]
    [InlineData("0b1010", 10)]
    [InlineData("-9_223_372_036_854_775_808", long.MinValue)]
    [InlineData("0x7FFFFFFFFFFFFFFF", long.MaxValue)]
    [InlineData("+0", 0)]
    public void Parse_Integers_DecodeAllBases(string text, long expected)
    {
        Assert.True(TomlParser.Parse("v = " + text).TryGetInteger("v", out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("1e3", 1000.0)]
    [InlineData("-1_000.5E-1", -100.05)]
    [InlineData("-inf", double.NegativeInfinity)]
    [InlineData("+inf", double.PositiveInfinity)]
    [InlineData("-0.0", -0.0)]
    public void Parse_Floats_DecodeValue(string text, double expected)
    {
        Assert.True(TomlParser.Parse("v = " + text).TryGetValue("v", out var value));
        Assert.Equal(expected, Assert.IsType<TomlFloat>(value).Value);
    }

    [Fact]
    public void Parse_Nan_IsFloatNaN()
    {
        Assert.True(TomlParser.Parse("v = -nan").TryGetValue("v", out var value));
        Assert.True(double.IsNaN(Assert.IsType<TomlFloat>(value).Value));
    }

    [Fact]
    public void Parse_DateTimes_KeepValueOffsetAndPrecision()
    {
        var root = TomlParser.Parse(
            "odt = 1979-05-27 07:32:00.123456789-07:00\nldt = 1979-05-27T07:32:00\nld = 1979-05-27\nlt = 00:32:00.5\n");

        root.TryGetValue("odt", out var odt);
        var offsetValue = Assert.IsType<TomlOffsetDateTime>(odt);
        Assert.Equal(new DateTimeOffset(1979, 5, 27, 7, 32, 0, TimeSpan.FromHours(-7)).AddTicks(1234567), offsetValue.Value);
        Assert.Equal(9, offsetValue.FractionDigits);

        root.TryGetValue("ldt", out var ldt);
        Assert.Equal(new DateTime(1979, 5, 27, 7, 32, 0, DateTimeKind.Unspecified), Assert.IsType<TomlLocalDateTime>(ldt).Value);

        root.TryGetValue("ld", out var ld);
        Assert.Equal(new DateOnly(1979, 5, 27), Assert.IsType<TomlLocalDate>(ld).Value);

        root.TryGetValue("lt", out var lt);
        var time = Assert.IsType<TomlLocalTime>(lt);
        Assert.Equal(new TimeOnly(0, 32, 0, 500), time.Value);
        Assert.Equal(1, time.FractionDigits);
    }

    [Fact]
    public void Parse_Strings_ResolveEscapesAndLineContinuations()
    {
        var root = TomlParser.Parse(
            "basic = \"tab\\there \\u00e9 \\U0001F600\"\r\n"
            + "ml = \"\"\"\r\nfirst \\\r\n     second\r\nthird\"\"\"\r\n"
            + "lit = 'C:\\path'\r\n"
            + "mllit = '''\nraw \\n ''quoted'''''\r\n");

        Assert.True(root.TryGetString("basic", out var basic));
        Assert.Equal("tab\there \u00e9 \U0001F600", basic);
        Assert.True(root.TryGetString("ml", out var ml));
        Assert.Equal("first second\nthird", ml);
        Assert.True(root.TryGetString("lit", out var lit));
        Assert.Equal("C:\\path", lit);
        Assert.True(root.TryGetString("mllit", out var mllit));
        Assert.Equal("raw \\n ''quoted''", mllit);
    }

    [Fact]
    public void Parse_MixedArray_KeepsElementsAndPositions()
    {
        var root = TomlParser.Parse("a = [\n  1, # one\n  \"two\",\n  [3.0],\n]");

        Assert.True(root.TryGetArray("a", out var array));
        Assert.False(array.IsArrayOfTables);
        Assert.Equal([TomlValueKind.Integer, TomlValueKind.String, TomlValueKind.Array], array.Select(v => v.Kind));
        Assert.Equal((3, 3), (array[1].Line, array[1].Column));
    }

    [Fact]
    public void Parse_Utf8BytesWithBom_Decodes()
    {
        byte[] bytes = [0xEF, 0xBB, 0xBF, .. "k = \"\u00fc\""u8];

        Assert.True(TomlParser.Parse(bytes).TryGetString("k", out var value));
        Assert.Equal("\u00fc", value);
    }

    [Fact]
    public void Parse_SubTableOfDottedKeyTable_IsAllowed()
    {
        var root = TomlParser.Parse("[fruit]\napple.color = \"red\"\n[fruit.apple.texture]\nsmooth = true\n");

        Assert.True(root.TryGetTable("fruit", out var fruit));
        Assert.True(fruit.TryGetTable("apple", out var apple));
        Assert.True(apple.TryGetTable("texture", out var texture));
        Assert.True(texture.TryGetBoolean("smooth", out var smooth));
        Assert.True(smooth);
    }
}

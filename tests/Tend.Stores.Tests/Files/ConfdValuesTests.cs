using Tend.Core.Kv;
using Tend.Stores.Files;
using Xunit;

namespace Tend.Stores.Tests.Files;

/// <summary>The file store's confd mode: values as confd 0.16's file backend reads them (expected values recorded with confd 0.16).</summary>
public sealed class ConfdValuesTests
{
    [Theory]
    [InlineData("yes", "true")]
    [InlineData("Y", "true")]
    [InlineData("on", "true")]
    [InlineData("True", "true")]
    [InlineData("FALSE", "false")]
    [InlineData("off", "false")]
    [InlineData("n", "false")]
    [InlineData("yES", "yES")]
    [InlineData("0x1F", "31")]
    [InlineData("-0x1F", "-31")]
    [InlineData("0o17", "15")]
    [InlineData("017", "15")]
    [InlineData("0b101", "5")]
    [InlineData("+12", "12")]
    [InlineData("1_000", "1000")]
    [InlineData("0800", "800")]
    [InlineData("-0", "0")]
    [InlineData("9223372036854775807", "9223372036854775807")]
    [InlineData("-9223372036854775808", "-9223372036854775808")]
    [InlineData("-9223372036854775809", "-9223372036854776000")]
    [InlineData("99999999999999999999", "100000000000000000000")]
    [InlineData("3.50", "3.5")]
    [InlineData("1.0", "1")]
    [InlineData("-0.0", "-0")]
    [InlineData("2.5e+3", "2500")]
    [InlineData("1.5E-7", "0.00000015")]
    [InlineData("2.5e3", "2.5e3")]
    [InlineData("1.", "1.")]
    [InlineData(".5", "0.5")]
    [InlineData(".5e3", "500")]
    [InlineData(".5_5", "0.55")]
    [InlineData("+.5", "0.5")]
    [InlineData("0.1", "0.1")]
    [InlineData("1e+400", "1e+400")]
    [InlineData(".inf", "+Inf")]
    [InlineData("-.Inf", "-Inf")]
    [InlineData(".NaN", "NaN")]
    [InlineData("0x", "0x")]
    [InlineData("2001-12-14", "2001-12-14")]
    [InlineData("10.0.0.1", "10.0.0.1")]
    [InlineData("web1", "web1")]
    public void Plain_Scalar_ResolvedAndPrintedAsConfd(string text, string expected)
    {
        Assert.Equal(expected, ConfdScalar.Plain(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("~")]
    [InlineData("null")]
    [InlineData("NULL")]
    [InlineData("9223372036854775808")] // a uint64, which confd's walk does not print
    [InlineData("0xFFFFFFFFFFFFFFFF")]
    public void Plain_NullOrUnsigned_NoKey(string text)
    {
        Assert.Null(ConfdScalar.Plain(text));
    }

    [Theory]
    [InlineData(0.1, "0.1")]
    [InlineData(1e21, "1000000000000000000000")]
    [InlineData(1.5e-7, "0.00000015")]
    [InlineData(123456.789, "123456.789")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(1e-10, "0.0000000001")]
    public void FormatFloat_Values_GoFixedShortest(double value, string expected)
    {
        Assert.Equal(expected, ConfdScalar.FormatFloat(value));
    }

    [Fact]
    public void FormatFloat_Extremes_AllDigitsNoExponent()
    {
        // Go: 0. then 323 zeros then 5, and 17 digits then 292 zeros.
        Assert.Equal("0." + new string('0', 323) + "5", ConfdScalar.FormatFloat(double.Epsilon));
        Assert.Equal("17976931348623157" + new string('0', 292), ConfdScalar.FormatFloat(double.MaxValue));
    }

    [Fact]
    public void Parse_ConfdValues_NullsAndEmptiesGiveNoKeyQuotedTextKept()
    {
        var pairs = Parse("data.yaml", """
            a: yes
            b: ~
            c:
            d: ""
            e: '0x1F'
            f: 0x1F
            g: !!str yes
            h: !!float 1
            i: !!int "12"
            l: [1, ~, null, 3.50]
            m: |
              yes
            """);

        Assert.Equal(
            [("/a", "true"), ("/d", ""), ("/e", "0x1F"), ("/f", "31"), ("/g", "yes"), ("/h", "1"), ("/i", "12"), ("/l/0", "1"), ("/l/3", "3.5"), ("/m", "yes")],
            pairs);
    }

    [Fact]
    public void Parse_ConfdValuesPlainShape_SameAsFullParser()
    {
        // This shape takes the fast reader; its values must resolve the same way.
        var pairs = Parse("data.yaml", "app:\n  port: 0x1F90\n  enabled: yes\n  ratio: 3.50\n  gone: null\n  empty:\n  last:\n");

        Assert.Equal([("/app/port", "8080"), ("/app/enabled", "true"), ("/app/ratio", "3.5")], pairs);
    }

    [Fact]
    public void Parse_ConfdValuesJson_NumbersAsYamlNullNoKeyStringsKept()
    {
        var pairs = Parse("data.json", """{"a": 1.50, "b": 1E+2, "c": 1e5, "d": null, "e": "yes", "f": true, "g": [0, null]}""");

        Assert.Equal([("/a", "1.5"), ("/b", "100"), ("/c", "1e5"), ("/e", "yes"), ("/f", "true"), ("/g/0", "0")], pairs);
    }

    [Fact]
    public void Parse_ConfdValuesAlias_ReplaysResolvedValues()
    {
        var pairs = Parse("data.yaml", "base: &b\n  port: 0x50\n  gone: ~\ncopy: *b\n");

        Assert.Equal([("/base/port", "80"), ("/copy/port", "80")], pairs);
    }

    [Fact]
    public void Parse_ConfdValuesTagMismatch_ErrorNamesFileLineAndValue()
    {
        var ex = Assert.Throws<FileStoreFormatException>(() => Parse("data.yaml", "a: 1\nb: !!int abc\n"));

        Assert.StartsWith("data.yaml:2:", ex.Message, StringComparison.Ordinal);
        Assert.Contains("cannot decode !!str `abc` as a !!int", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_AsWritten_TextKeptAndNullsEmpty()
    {
        var pairs = new List<KvPair>();
        FileDataParser.Parse("data.yaml", "a: yes\nb: ~\nc: 0x1F\n", pairs, new DataFileLoad(DataFileLimits.Default));

        Assert.Equal([new KvPair("/a", "yes"), new KvPair("/b", ""), new KvPair("/c", "0x1F")], pairs);
    }

    private static List<(string, string)> Parse(string file, string text)
    {
        var pairs = new List<KvPair>();
        FileDataParser.Parse(file, text, pairs, new DataFileLoad(DataFileLimits.Default, FileStoreValues.Confd));
        return [.. pairs.Select(p => (p.Key, p.Value))];
    }
}

using System.Text.Json;
using Tend.Core.Config.Toml;
using Xunit;

namespace Tend.Core.Tests.Config;

public sealed class TomlTaggedJsonTests
{
    [Fact]
    public void ToJsonString_Scalars_UseTaggedForms()
    {
        var root = TomlParser.Parse(
            "i = 0x10\nf = 1.5\nn = nan\nm = -inf\nb = true\ns = \"\u00e9\"\n"
            + "odt = 1979-05-27t07:32:00.25+01:30\nutc = 1979-05-27 07:32:00z\n"
            + "ldt = 1979-05-27T07:32:00\nld = 1979-05-27\nlt = 07:32:00.999999999\n");

        using var json = JsonDocument.Parse(TomlTaggedJson.ToJsonString(root));
        var r = json.RootElement;

        Assert.Equal(("integer", "16"), Tag(r, "i"));
        Assert.Equal(("float", "1.5"), Tag(r, "f"));
        Assert.Equal(("float", "nan"), Tag(r, "n"));
        Assert.Equal(("float", "-inf"), Tag(r, "m"));
        Assert.Equal(("bool", "true"), Tag(r, "b"));
        Assert.Equal(("string", "\u00e9"), Tag(r, "s"));
        Assert.Equal(("datetime", "1979-05-27T07:32:00.25+01:30"), Tag(r, "odt"));
        Assert.Equal(("datetime", "1979-05-27T07:32:00Z"), Tag(r, "utc"));
        Assert.Equal(("datetime-local", "1979-05-27T07:32:00"), Tag(r, "ldt"));
        Assert.Equal(("date-local", "1979-05-27"), Tag(r, "ld"));
        Assert.Equal(("time-local", "07:32:00.9999999"), Tag(r, "lt"));
    }

    [Fact]
    public void ToJsonString_TablesAndArrays_NestAsObjectsAndArrays()
    {
        var root = TomlParser.Parse("a = [1, [\"x\"]]\n[[t]]\nk = 1\n[[t]]\n");

        using var json = JsonDocument.Parse(TomlTaggedJson.ToJsonString(root));
        var a = json.RootElement.GetProperty("a");
        Assert.Equal(JsonValueKind.Array, a.ValueKind);
        Assert.Equal("x", a[1][0].GetProperty("value").GetString());
        var t = json.RootElement.GetProperty("t");
        Assert.Equal(2, t.GetArrayLength());
        Assert.Equal("1", t[0].GetProperty("k").GetProperty("value").GetString());
        Assert.Empty(t[1].EnumerateObject());
    }

    [Fact]
    public void Write_ToCallerWriter_ProducesSameJsonAsToJsonString()
    {
        var root = TomlParser.Parse("x = 1.0e300");
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            TomlTaggedJson.Write(root, writer);
        }

        using var written = JsonDocument.Parse(stream.ToArray());
        var value = written.RootElement.GetProperty("x").GetProperty("value").GetString()!;
        Assert.Equal(1.0e300, double.Parse(value, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static (string, string) Tag(JsonElement root, string key)
    {
        var e = root.GetProperty(key);
        return (e.GetProperty("type").GetString()!, e.GetProperty("value").GetString()!);
    }
}

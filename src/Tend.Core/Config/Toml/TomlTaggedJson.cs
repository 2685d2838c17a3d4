using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Tend.Core.Config.Toml;

/// <summary>
/// Writes a parsed document in toml-test's tagged JSON form: tables become objects, arrays become
/// arrays, and every scalar becomes <c>{"type": T, "value": "text"}</c> with T one of <c>string</c>,
/// <c>integer</c>, <c>float</c>, <c>bool</c>, <c>datetime</c>, <c>datetime-local</c>, <c>date-local</c>,
/// <c>time-local</c>.
/// </summary>
public static class TomlTaggedJson
{
    /// <summary>
    /// Writes <paramref name="table"/> as a tagged JSON object to <paramref name="writer"/>. Deeply nested
    /// documents may need a writer whose <see cref="JsonWriterOptions.MaxDepth"/> is above the default 64.
    /// </summary>
    public static void Write(TomlTable table, Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(writer);
        WriteValue(table, writer);
    }

    /// <summary>Returns <paramref name="table"/> as tagged JSON text (indented, non-ASCII left unescaped).</summary>
    public static string ToJsonString(TomlTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        using var stream = new MemoryStream();
        var options = new JsonWriterOptions
        {
            Indented = true,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,

            // The parser bounds value nesting and dotted-key length separately; together they can exceed
            // the writer's default limit of 64.
            MaxDepth = 1024,
        };
        using (var writer = new Utf8JsonWriter(stream, options))
        {
            Write(table, writer);
        }

        return System.Text.Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    private static void WriteValue(TomlValue value, Utf8JsonWriter writer)
    {
        switch (value)
        {
            case TomlTable table:
                writer.WriteStartObject();
                foreach (var entry in table.Entries)
                {
                    writer.WritePropertyName(entry.Key);
                    WriteValue(entry.Value, writer);
                }

                writer.WriteEndObject();
                break;
            case TomlArray array:
                writer.WriteStartArray();
                foreach (var item in array)
                {
                    WriteValue(item, writer);
                }

                writer.WriteEndArray();
                break;
            default:
                var (type, text) = Scalar(value);
                writer.WriteStartObject();
                writer.WriteString("type", type);
                writer.WriteString("value", text);
                writer.WriteEndObject();
                break;
        }
    }

    private static (string Type, string Text) Scalar(TomlValue value) => value switch
    {
        TomlString s => ("string", s.Value),
        TomlInteger i => ("integer", i.Value.ToString(CultureInfo.InvariantCulture)),
        TomlFloat f => ("float", FormatFloat(f.Value)),
        TomlBoolean b => ("bool", b.Value ? "true" : "false"),
        TomlOffsetDateTime dt => ("datetime", FormatDateTime(dt.Value.DateTime, dt.FractionDigits) + FormatOffset(dt.Value.Offset)),
        TomlLocalDateTime dt => ("datetime-local", FormatDateTime(dt.Value, dt.FractionDigits)),
        TomlLocalDate d => ("date-local", d.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        TomlLocalTime t => ("time-local", FormatTime(t.Value.ToTimeSpan(), t.FractionDigits)),
        _ => throw new ArgumentException($"unexpected TOML value kind {value.Kind}", nameof(value)),
    };

    private static string FormatFloat(double d) => d switch
    {
        double.PositiveInfinity => "inf",
        double.NegativeInfinity => "-inf",
        _ when double.IsNaN(d) => "nan",

        // "R" round-trips; it can produce exponent forms like 1E+300, which parse back to the same double.
        _ => d.ToString("R", CultureInfo.InvariantCulture),
    };

    private static string FormatDateTime(DateTime value, int fractionDigits) =>
        value.ToString("yyyy-MM-dd'T'", CultureInfo.InvariantCulture) + FormatTime(value.TimeOfDay, fractionDigits);

    private static string FormatTime(TimeSpan time, int fractionDigits)
    {
        var text = time.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture);
        if (fractionDigits == 0)
        {
            return text;
        }

        // Ticks hold 7 digits; print as many as the source had, up to that precision.
        var fraction = (time.Ticks % TimeSpan.TicksPerSecond).ToString("D7", CultureInfo.InvariantCulture);
        return text + "." + fraction[..Math.Min(fractionDigits, 7)];
    }

    private static string FormatOffset(TimeSpan offset)
    {
        if (offset == TimeSpan.Zero)
        {
            return "Z";
        }

        var sign = offset < TimeSpan.Zero ? "-" : "+";
        return sign + offset.Duration().ToString(@"hh\:mm", CultureInfo.InvariantCulture);
    }
}

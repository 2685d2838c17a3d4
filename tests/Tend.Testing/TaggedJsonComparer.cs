using System.Globalization;
using System.Text.Json;

namespace Tend.Testing;

/// <summary>
/// Compares toml-test tagged JSON structurally: objects by key set, arrays in order, floats numerically,
/// date-times as values, other scalars by type and text. Parses expected values with the BCL, not with
/// the code under test.
/// </summary>
public static class TaggedJsonComparer
{
    /// <summary>Returns null when equal, else a description of the first difference.</summary>
    public static string? Difference(JsonElement expected, JsonElement actual, string path)
    {
        if (expected.ValueKind != actual.ValueKind)
        {
            return $"{path}: expected JSON {expected.ValueKind}, got {actual.ValueKind} ({actual.GetRawText()})";
        }

        switch (expected.ValueKind)
        {
            case JsonValueKind.Array:
                var e = expected.EnumerateArray().ToList();
                var a = actual.EnumerateArray().ToList();
                if (e.Count != a.Count)
                {
                    return $"{path}: expected {e.Count} array elements, got {a.Count}";
                }

                for (var i = 0; i < e.Count; i++)
                {
                    var d = Difference(e[i], a[i], $"{path}[{i}]");
                    if (d is not null)
                    {
                        return d;
                    }
                }

                return null;
            case JsonValueKind.Object:
                if (IsTagged(expected))
                {
                    return IsTagged(actual) ? CompareScalar(expected, actual, path) : $"{path}: expected a scalar, got {actual.GetRawText()}";
                }

                var expectedKeys = expected.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
                var actualKeys = actual.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
                if (!expectedKeys.SetEquals(actualKeys))
                {
                    return $"{path}: expected keys [{string.Join(", ", expectedKeys.Order(StringComparer.Ordinal))}], got [{string.Join(", ", actualKeys.Order(StringComparer.Ordinal))}]";
                }

                foreach (var key in expectedKeys)
                {
                    var d = Difference(expected.GetProperty(key), actual.GetProperty(key), $"{path}.{key}");
                    if (d is not null)
                    {
                        return d;
                    }
                }

                return null;
            default:
                return $"{path}: unexpected untagged JSON {expected.GetRawText()}";
        }
    }

    private static bool IsTagged(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object
        && e.EnumerateObject().Count() == 2
        && e.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String
        && e.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.String;

    private static string? CompareScalar(JsonElement expected, JsonElement actual, string path)
    {
        var type = expected.GetProperty("type").GetString()!;
        var actualType = actual.GetProperty("type").GetString()!;
        var ev = expected.GetProperty("value").GetString()!;
        var av = actual.GetProperty("value").GetString()!;
        if (type != actualType)
        {
            return $"{path}: expected type {type}, got {actualType} ({av})";
        }

        var equal = type switch
        {
            "float" => ParseFloat(ev).Equals(ParseFloat(av)),
            "datetime" => ParseOffsetDateTime(ev) == ParseOffsetDateTime(av),
            "datetime-local" => ParseLocal(ev) == ParseLocal(av),
            "date-local" => DateOnly.ParseExact(ev, "yyyy-MM-dd", CultureInfo.InvariantCulture) == DateOnly.ParseExact(av, "yyyy-MM-dd", CultureInfo.InvariantCulture),
            "time-local" => ParseLocal("2000-01-01T" + ev) == ParseLocal("2000-01-01T" + av),
            _ => string.Equals(ev, av, StringComparison.Ordinal),
        };
        return equal ? null : $"{path}: expected {type} '{ev}', got '{av}'";
    }

    // double.Equals treats NaN as equal to NaN, which is what the corpus wants.
    private static double ParseFloat(string s) => s switch
    {
        "inf" or "+inf" => double.PositiveInfinity,
        "-inf" => double.NegativeInfinity,
        "nan" or "+nan" or "-nan" => double.NaN,
        _ => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    private static DateTimeOffset ParseOffsetDateTime(string s) =>
        DateTimeOffset.Parse(Normalize(s), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    private static DateTime ParseLocal(string s) =>
        DateTime.Parse(Normalize(s), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    /// <summary>Upper-cases T/Z, allows a space separator, and cuts fractions to the 7 digits .NET keeps.</summary>
    private static string Normalize(string s)
    {
        s = s.ToUpperInvariant().Replace(' ', 'T');
        var dot = s.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
        {
            return s;
        }

        var end = dot + 1;
        while (end < s.Length && char.IsAsciiDigit(s[end]))
        {
            end++;
        }

        return end - dot - 1 > 7 ? s[..(dot + 8)] + s[end..] : s;
    }
}

using System.Text.Json;

namespace Tend.Templates;

/// <summary>
/// Builds template data from JSON with the oracle's mapping: objects become
/// <c>Dictionary&lt;string, object?&gt;</c> (Go map[string]interface {}), arrays
/// <c>List&lt;object?&gt;</c> ([]interface {}), numbers without '.', 'e' or 'E' that fit in 64 bits
/// <see cref="long"/> (Go int), every other number <see cref="double"/> (float64).
/// </summary>
public static class TemplateData
{
    /// <summary>Parses JSON text; an empty document yields null.</summary>
    /// <exception cref="JsonException">The text is not JSON.</exception>
    public static object? FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }
        using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 1000 });
        return Convert(doc.RootElement, numbersAsFloat: false);
    }

    /// <summary>Parses JSON from a stream.</summary>
    public static object? FromJson(Stream json)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var reader = new StreamReader(json);
        return FromJson(reader.ReadToEnd());
    }

    /// <summary>Go encoding/json's mapping into interface{}: every number a float64 (confd's json/jsonArray).</summary>
    internal static object? FromJsonAllFloat(string json)
    {
        using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 1000 });
        return Convert(doc.RootElement, numbersAsFloat: true);
    }

    private static object? Convert(JsonElement e, bool numbersAsFloat)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                {
                    var d = new Dictionary<string, object?>(StringComparer.Ordinal);
                    foreach (var p in e.EnumerateObject())
                    {
                        d[p.Name] = Convert(p.Value, numbersAsFloat);
                    }
                    return d;
                }
            case JsonValueKind.Array:
                {
                    var l = new List<object?>(e.GetArrayLength());
                    foreach (var x in e.EnumerateArray())
                    {
                        l.Add(Convert(x, numbersAsFloat));
                    }
                    return l;
                }
            case JsonValueKind.String:
                return e.GetString();
            case JsonValueKind.Number:
                {
                    string raw = e.GetRawText();
                    if (!numbersAsFloat && raw.IndexOfAny(['.', 'e', 'E']) < 0 && e.TryGetInt64(out long l))
                    {
                        return l;
                    }
                    return e.GetDouble();
                }
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            default:
                return null;
        }
    }
}

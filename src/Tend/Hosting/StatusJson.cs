using System.Text.Json;

namespace Tend.Hosting;

/// <summary>The shapes every <c>/status</c> section shares: a time or a flag that may be unknown is written as <c>null</c>.</summary>
internal static class StatusJson
{
    /// <summary>An ISO 8601 time, or <c>null</c>.</summary>
    public static void WriteTime(Utf8JsonWriter json, string name, DateTimeOffset? time)
    {
        if (time is { } t)
        {
            json.WriteString(name, t);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    /// <summary>A boolean, or <c>null</c> when not known yet.</summary>
    public static void WriteBoolean(Utf8JsonWriter json, string name, bool? value)
    {
        if (value is { } v)
        {
            json.WriteBoolean(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    /// <summary>A number, or <c>null</c> when there is none.</summary>
    public static void WriteNumber(Utf8JsonWriter json, string name, int? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}

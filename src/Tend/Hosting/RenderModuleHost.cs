using System.Text.Json;
using Tend.Modules.Render;

namespace Tend.Daemon;

/// <summary>The <c>render</c> array of <c>/status</c>.</summary>
internal static class RenderStatusWriter
{
    public static void Write(Utf8JsonWriter json, IReadOnlyList<RenderResourceStatus> status)
    {
        json.WriteStartArray("render");
        foreach (var r in status)
        {
            json.WriteStartObject();
            json.WriteString("id", r.Id);
            json.WriteString("dest", r.Destination);
            StatusJson.WriteTime(json, "last_render", r.LastRender);
            StatusJson.WriteTime(json, "last_write", r.LastWrite);
            json.WriteString("last_error", r.LastError);
            json.WriteNumber("revision", r.Revision);
            json.WriteNumber("writes", r.Writes);
            json.WriteNumber("failures", r.Failures);
            json.WriteNumber("reload_failures", r.ReloadFailures);
            json.WriteString("last_reload_error", r.LastReloadError);
            StatusJson.WriteTime(json, "next_due", r.NextDue);
            json.WriteString("last_diff", r.LastDiff);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }
}

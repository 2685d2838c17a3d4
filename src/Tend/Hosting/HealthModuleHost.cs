using System.Text.Json;
using Tend.Modules.Health;

namespace Tend.Daemon;

/// <summary>The <c>health</c> object of <c>/status</c>.</summary>
internal static class HealthStatusWriter
{
    public static void Write(Utf8JsonWriter json, HealthStatus status)
    {
        json.WriteStartObject("health");
        json.WriteString("environment", status.Identity.Environment);
        json.WriteString("role", status.Identity.Role);
        json.WriteString("hostname", status.Identity.Hostname);
        json.WriteString("datacenter", status.Identity.Datacenter);
        json.WriteStartArray("checks");
        foreach (var c in status.Checks)
        {
            json.WriteStartObject();
            json.WriteString("service", c.Service);
            json.WriteString("check", c.Check);
            json.WriteString("state", c.State);
            json.WriteString("output", c.Output);
            json.WriteString("role", c.Role);
            StatusJson.WriteTime(json, "since", c.Since);
            StatusJson.WriteTime(json, "last_check", c.LastCheck);
            json.WriteNumber("checks", c.Checks);
            json.WriteNumber("changes", c.Changes);
            json.WriteString("published_key", c.PublishedKey);
            json.WriteString("last_publish_error", c.LastPublishError);
            json.WriteString("agent_check", c.AgentCheck);
            json.WriteString("agent_error", c.AgentError);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("triggers");
        foreach (var t in status.Triggers)
        {
            json.WriteStartObject();
            json.WriteString("key", t.Key);
            json.WriteString("service", t.Service);
            json.WriteString("role", t.Role);
            json.WriteString("state", t.State);
            json.WriteNumber("runs", t.Runs);
            json.WriteNumber("failures", t.Failures);
            json.WriteNumber("timeouts", t.Timeouts);
            json.WriteNumber("suppressed", t.Suppressed);
            json.WriteBoolean("running", t.Running);
            StatusJson.WriteTime(json, "last_run", t.LastRun);
            StatusJson.WriteNumber(json, "last_exit_code", t.LastExitCode);

            json.WriteString("last_error", t.LastError);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }
}

using System.Text.Json;
using Tend.Modules.Hooks;

namespace Tend.Daemon;

/// <summary>The <c>hooks</c> object of <c>/status</c>: the Nagios generator and the exec hooks.</summary>
internal static class HooksStatusWriter
{
    public static void Write(Utf8JsonWriter json, HooksStatus status)
    {
        json.WriteStartObject("hooks");
        if (status.Nagios is { } n)
        {
            json.WriteStartObject("nagios");
            json.WriteString("hosts_file", n.HostsFile);
            json.WriteNumber("hosts", n.Hosts);
            json.WriteNumber("ignored_keys", n.IgnoredKeys);
            json.WriteNumber("revision", n.Revision);
            StatusJson.WriteTime(json, "last_generate", n.LastGenerate);
            StatusJson.WriteTime(json, "last_write", n.LastWrite);
            json.WriteNumber("writes", n.Writes);
            json.WriteNumber("failures", n.Failures);
            json.WriteNumber("check_failures", n.CheckFailures);
            json.WriteString("last_error", n.LastError);
            StatusJson.WriteTime(json, "last_reload", n.LastReload);
            json.WriteNumber("reloads", n.Reloads);
            json.WriteNumber("reload_failures", n.ReloadFailures);
            json.WriteString("last_reload_error", n.LastReloadError);
            json.WriteNumber("ssh_resets", n.SshResets);
            json.WriteNumber("ssh_failures", n.SshFailures);
            json.WriteNumber("ssh_pending", n.SshPending);
            json.WriteBoolean("waiting_for_replace", n.WaitingForReplace);
            json.WriteEndObject();
        }

        json.WriteStartArray("exec");
        foreach (var h in status.Exec)
        {
            json.WriteStartObject();
            json.WriteString("id", h.Id);
            json.WriteString("prefix", h.Prefix);
            json.WriteString("mode", h.Mode.ToString().ToLowerInvariant());
            json.WriteNumber("runs", h.Runs);
            json.WriteNumber("changes", h.Changes);
            json.WriteNumber("failures", h.Failures);
            json.WriteNumber("timeouts", h.Timeouts);
            json.WriteNumber("pending", h.Pending);
            StatusJson.WriteTime(json, "last_run", h.LastRun);
            json.WriteString("last_error", h.LastError);
            json.WriteNumber("revision", h.Revision);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }
}

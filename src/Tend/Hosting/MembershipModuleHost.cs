using System.Text.Json;
using Tend.Modules.Membership;

namespace Tend.Daemon;

/// <summary>The <c>membership</c> object of <c>/status</c>.</summary>
internal static class MembershipStatusWriter
{
    public static void Write(Utf8JsonWriter json, MembershipStatus m)
    {
        json.WriteStartObject("membership");
        json.WriteString("inventory", m.Inventory);
        json.WriteString("environment_file", m.EnvironmentFile);
        json.WriteBoolean("proxy_mode", m.ProxyMode);
        json.WriteString("self", m.Self);
        json.WriteString("state", m.State);
        json.WriteString("self_membership", m.SelfMembership.ToString().ToLowerInvariant());
        json.WriteNumber("candidates", m.Candidates);
        json.WriteNumber("members", m.Members);
        json.WriteNumber("learners", m.Learners);
        json.WriteNumber("healthy", m.Healthy);
        json.WriteStartArray("withheld");
        foreach (var w in m.Withheld)
        {
            json.WriteStringValue(w);
        }

        json.WriteEndArray();
        StatusJson.WriteTime(json, "last_pass", m.LastPass);
        json.WriteString("last_error", m.LastError);
        json.WriteNumber("passes", m.Passes);
        json.WriteNumber("failures", m.Failures);
        json.WriteNumber("removals", m.Removals);
        json.WriteNumber("additions", m.Additions);
        json.WriteNumber("promotions", m.Promotions);
        json.WriteNumber("environment_writes", m.EnvironmentWrites);
        StatusJson.WriteTime(json, "last_environment_write", m.LastEnvironmentWrite);
        json.WriteEndObject();
    }
}

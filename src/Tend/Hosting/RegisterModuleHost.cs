using System.Globalization;
using System.Text.Json;
using Tend.Modules.Register;

namespace Tend.Daemon;

/// <summary>The <c>register</c> array of <c>/status</c>.</summary>
internal static class RegisterStatusWriter
{
    public static void Write(Utf8JsonWriter json, IReadOnlyList<RegisteredServiceStatus> status)
    {
        json.WriteStartArray("register");
        foreach (var svc in status)
        {
            json.WriteStartObject();
            json.WriteString("name", svc.Name);
            json.WriteString("key", svc.Key);
            StatusJson.WriteBoolean(json, "healthy", svc.Healthy);
            json.WriteBoolean("registered", svc.Registered);
            json.WriteString("last_check", svc.LastCheckOutput);
            json.WriteString("last_check_at", svc.LastCheckAt?.ToString("O", CultureInfo.InvariantCulture));
            json.WriteString("last_error", svc.LastError);
            json.WriteNumber("checks", svc.Checks);
            json.WriteNumber("registrations", svc.Registrations);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }
}

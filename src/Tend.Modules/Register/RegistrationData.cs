using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tend.Modules.Register;

/// <summary>
/// The registered value: compact JSON <c>{"pid":…,"created":"YYYY-MM-DD HH:MM:SS","host":…,"port":…,…zookeeper_data}</c>,
/// as zk_watcher wrote it (plus host and port), so existing consumers parse it unchanged.
/// </summary>
internal static class RegistrationData
{
    public static string Build(int pid, DateTime createdLocal, string host, int port, IReadOnlyList<KeyValuePair<string, JsonNode?>> data)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("pid", pid);
            json.WriteString("created", createdLocal.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
            json.WriteString("host", host);
            json.WriteNumber("port", port);
            foreach (var (k, v) in data)
            {
                if (k is "pid" or "created" or "host" or "port")
                {
                    continue;
                }

                json.WritePropertyName(k);
                if (v is null)
                {
                    json.WriteNullValue();
                }
                else
                {
                    v.WriteTo(json);
                }
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>What identifies a registration apart from pid and time: a change here means re-registering.</summary>
    public static string Identity(string key, IReadOnlyList<KeyValuePair<string, JsonNode?>> data) =>
        key + "\n" + string.Join("\n", data.Select(kv => kv.Key + "=" + (kv.Value?.ToJsonString() ?? "null")));
}

using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tend.Core.Kv;
using Tend.Hosting;

namespace Tend.Daemon;

/// <summary><c>GET /healthz</c> and <c>GET /status</c> of the daemon's HTTP API.</summary>
internal static class StatusEndpoints
{
    public static void Map(IEndpointRouteBuilder app, TendDaemon daemon)
    {
        app.MapGet("/healthz", () =>
        {
            var runtime = daemon.Runtime;
            if (runtime is null)
            {
                return Results.Text("stopped\n", statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            // An unreachable store comes first: the files on disk are the last good render, but no change
            // reaches them until the store is back.
            if (Unreachable(runtime.Store.Health) is { } outage)
            {
                return Results.Text(outage + "\n", statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            var unsynced = runtime.Mirrors.Mirrors.Where(m => !m.IsSynced).Select(m => m.Prefix).ToList();
            return unsynced.Count == 0
                ? Results.Text("ok\n")
                : Results.Text($"not synced: {string.Join(", ", unsynced)}\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        });

        app.MapGet("/status", () =>
        {
            var runtime = daemon.Runtime;
            using var stream = new MemoryStream();
            using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                json.WriteStartObject();
                json.WriteString("version", TendVersion.Value);
                json.WriteString("config", runtime?.Config.SourcePath);
                json.WriteNumber("reloads", daemon.Reloads);
                json.WriteString("last_reload_error", daemon.LastReloadError);
                if (runtime is not null)
                {
                    json.WriteString("store", runtime.Store.Name);
                    WriteStoreHealth(json, runtime.Store.Health);
                    json.WriteNumber("skipped_keys", runtime.Store.SkippedKeys?.Count ?? 0);
                    json.WriteString("last_skipped_key", runtime.Store.SkippedKeys?.LastKey);
                    json.WriteString("started", runtime.StartedAt);
                    json.WriteStartArray("mirrors");
                    foreach (var m in runtime.Mirrors.Mirrors.OrderBy(m => m.Prefix, StringComparer.Ordinal))
                    {
                        json.WriteStartObject();
                        json.WriteString("prefix", m.Prefix);
                        json.WriteString("state", m.State.ToString().ToLowerInvariant());
                        json.WriteNumber("revision", m.Current.Revision);
                        json.WriteNumber("keys", m.Current.Count);
                        json.WriteNumber("updates", m.UpdateCount);
                        json.WriteNumber("reconnects", m.ReconnectCount);
                        json.WriteNumber("catch_ups", m.CatchUpCount);
                        json.WriteString("last_error", m.CurrentError);
                        json.WriteEndObject();
                    }

                    json.WriteEndArray();
                    foreach (var module in runtime.Modules)
                    {
                        module.WriteStatus(json);
                    }
                }

                json.WriteEndObject();
            }

            return Results.Bytes(stream.ToArray(), "application/json");
        });
    }

    /// <summary>The /healthz line for a store that cannot reach its server, or <c>null</c>.</summary>
    internal static string? Unreachable(KvStoreHealth health)
    {
        if (!health.IsUnreachable)
        {
            return null;
        }

        var since = health.Since ?? DateTimeOffset.UtcNow;
        var seconds = Math.Max(0, (long)(DateTimeOffset.UtcNow - since).TotalSeconds);
        return $"store unreachable since {since.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)} ({seconds} s): {health.LastError ?? "no answer"}; serving the last known data";
    }

    private static void WriteStoreHealth(Utf8JsonWriter json, KvStoreHealth health)
    {
        json.WriteStartObject("store_health");
        json.WriteString("state", health.State.ToString().ToLowerInvariant());
        StatusJson.WriteTime(json, "since", health.Since);
        json.WriteString("last_error", health.LastError);
        StatusJson.WriteTime(json, "last_error_at", health.LastErrorAt);
        json.WriteNumber("reconnects", health.Reconnects);
        json.WriteEndObject();
    }
}

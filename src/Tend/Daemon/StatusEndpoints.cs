using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tend.Core.Kv;

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
                    if (runtime.Register is { } register)
                    {
                        json.WriteStartArray("register");
                        foreach (var svc in register.Status)
                        {
                            json.WriteStartObject();
                            json.WriteString("name", svc.Name);
                            json.WriteString("key", svc.Key);
                            if (svc.Healthy is { } healthy)
                            {
                                json.WriteBoolean("healthy", healthy);
                            }
                            else
                            {
                                json.WriteNull("healthy");
                            }

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

                    json.WriteStartArray("render");
                    foreach (var r in runtime.Render?.Status ?? [])
                    {
                        json.WriteStartObject();
                        json.WriteString("id", r.Id);
                        json.WriteString("dest", r.Destination);
                        WriteTime(json, "last_render", r.LastRender);
                        WriteTime(json, "last_write", r.LastWrite);
                        json.WriteString("last_error", r.LastError);
                        json.WriteNumber("revision", r.Revision);
                        json.WriteNumber("writes", r.Writes);
                        json.WriteNumber("failures", r.Failures);
                        json.WriteNumber("reload_failures", r.ReloadFailures);
                        json.WriteString("last_reload_error", r.LastReloadError);
                        WriteTime(json, "next_due", r.NextDue);
                        json.WriteString("last_diff", r.LastDiff);
                        json.WriteEndObject();
                    }

                    json.WriteEndArray();
                    if (runtime.Hooks is { } hooks)
                    {
                        WriteHooks(json, hooks.Status);
                    }

                    if (runtime.Health?.Status is { } health)
                    {
                        HealthStatusWriter.Write(json, health);
                    }

                    if (runtime.Membership?.Status is { } membership)
                    {
                        WriteMembership(json, membership);
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
        WriteTime(json, "since", health.Since);
        json.WriteString("last_error", health.LastError);
        WriteTime(json, "last_error_at", health.LastErrorAt);
        json.WriteNumber("reconnects", health.Reconnects);
        json.WriteEndObject();
    }

    private static void WriteHooks(Utf8JsonWriter json, Modules.Hooks.HooksStatus status)
    {
        json.WriteStartObject("hooks");
        if (status.Nagios is { } n)
        {
            json.WriteStartObject("nagios");
            json.WriteString("hosts_file", n.HostsFile);
            json.WriteNumber("hosts", n.Hosts);
            json.WriteNumber("ignored_keys", n.IgnoredKeys);
            json.WriteNumber("revision", n.Revision);
            WriteTime(json, "last_generate", n.LastGenerate);
            WriteTime(json, "last_write", n.LastWrite);
            json.WriteNumber("writes", n.Writes);
            json.WriteNumber("failures", n.Failures);
            json.WriteNumber("check_failures", n.CheckFailures);
            json.WriteString("last_error", n.LastError);
            WriteTime(json, "last_reload", n.LastReload);
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
            WriteTime(json, "last_run", h.LastRun);
            json.WriteString("last_error", h.LastError);
            json.WriteNumber("revision", h.Revision);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteMembership(Utf8JsonWriter json, Modules.Membership.MembershipStatus m)
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
        WriteTime(json, "last_pass", m.LastPass);
        json.WriteString("last_error", m.LastError);
        json.WriteNumber("passes", m.Passes);
        json.WriteNumber("failures", m.Failures);
        json.WriteNumber("removals", m.Removals);
        json.WriteNumber("additions", m.Additions);
        json.WriteNumber("promotions", m.Promotions);
        json.WriteNumber("environment_writes", m.EnvironmentWrites);
        WriteTime(json, "last_environment_write", m.LastEnvironmentWrite);
        json.WriteEndObject();
    }

    private static void WriteTime(Utf8JsonWriter json, string name, DateTimeOffset? time)
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
}

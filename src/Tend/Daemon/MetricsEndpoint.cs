using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tend.Core.Mirror;
using Tend.Hosting;
using static Tend.Hosting.MetricsWriter;

namespace Tend.Daemon;

/// <summary><c>GET /metrics</c>: the daemon's state in Prometheus' text exposition format.</summary>
internal static class MetricsEndpoint
{
    public static void Map(IEndpointRouteBuilder app, TendDaemon daemon) =>
        app.MapGet("/metrics", () => Results.Text(Render(daemon), "text/plain; version=0.0.4; charset=utf-8"));

    internal static string Render(TendDaemon daemon)
    {
        var m = new MetricsWriter();
        m.Metric("tend_reloads_total", "counter", "Configuration reloads applied.", [(NoLabels, daemon.Reloads)]);
        m.Metric("tend_reload_rejected", "gauge", "1 when the last reload was rejected and the previous configuration keeps running.", [(NoLabels, daemon.LastReloadError is null ? 0 : 1)]);
        var runtime = daemon.Runtime;
        if (runtime is null)
        {
            return m.ToString();
        }

        var health = runtime.Store.Health;
        m.Metric("tend_store_up", "gauge", "1 while the store's server answers, 0 while it is unreachable (or not contacted yet).", [(NoLabels, health.State == Core.Kv.KvStoreConnectionState.Connected ? 1 : 0)]);
        m.Metric(
            "tend_store_unreachable_since_timestamp_seconds",
            "gauge",
            "While the store is unreachable: when the connection was lost.",
            health.IsUnreachable && health.Since is { } since ? [(NoLabels, since.ToUnixTimeMilliseconds() / 1000.0)] : []);
        m.Metric("tend_store_reconnects_total", "counter", "Times the connection to the store was re-established after it was lost.", [(NoLabels, health.Reconnects)]);
        m.Metric("tend_store_skipped_keys_total", "counter", "Times a key that is not a normalised path (/a//b, /a/../b) was skipped; see /status last_skipped_key and the log.", [(NoLabels, (double)(runtime.Store.SkippedKeys?.Count ?? 0))]);

        var mirrors = runtime.Mirrors.Mirrors.OrderBy(x => x.Prefix, StringComparer.Ordinal).ToList();
        m.Metric("tend_mirror_synced", "gauge", "1 once the watched prefix has loaded.", mirrors.Select(x => (Label("prefix", x.Prefix), (double)(x.IsSynced ? 1 : 0))));
        m.Metric("tend_mirror_revision", "gauge", "Store revision the mirror has seen.", mirrors.Select(x => (Label("prefix", x.Prefix), (double)x.Current.Revision)));
        m.Metric("tend_mirror_keys", "gauge", "Keys below the watched prefix.", mirrors.Select(x => (Label("prefix", x.Prefix), (double)x.Current.Count)));
        m.Metric("tend_mirror_updates_total", "counter", "Updates applied to the mirror.", mirrors.Select(x => (Label("prefix", x.Prefix), (double)x.UpdateCount)));
        m.Metric("tend_mirror_reconnects_total", "counter", "Times the watch had to be re-established (by the mirror, or by the store after its connection was lost).", mirrors.Select(x => (Label("prefix", x.Prefix), (double)x.ReconnectCount)));
        m.Metric("tend_mirror_watching", "gauge", "1 while the mirror is current (watching), 0 while loading or reconnecting.", mirrors.Select(x => (Label("prefix", x.Prefix), (double)(x.State == KvMirrorState.Watching ? 1 : 0))));
        m.Metric("tend_mirror_catch_ups_total", "counter", "Times a reader asked the store to confirm this mirror is current (a render of several prefixes, /getall).", mirrors.Select(x => (Label("prefix", x.Prefix), (double)x.CatchUpCount)));

        foreach (var module in runtime.Modules)
        {
            module.WriteMetrics(m);
        }

        return m.ToString();
    }
}

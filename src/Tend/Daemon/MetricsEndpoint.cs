using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tend.Core.Mirror;

namespace Tend.Daemon;

/// <summary><c>GET /metrics</c>: the daemon's state in Prometheus' text exposition format.</summary>
internal static class MetricsEndpoint
{
    public static void Map(IEndpointRouteBuilder app, TendDaemon daemon) =>
        app.MapGet("/metrics", () => Results.Text(Render(daemon), "text/plain; version=0.0.4; charset=utf-8"));

    internal static string Render(TendDaemon daemon)
    {
        var m = new MetricWriter();
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
        m.Metric("tend_mirror_synced", "gauge", "1 once the watched prefix has loaded.", mirrors.Select(x => (P("prefix", x.Prefix), (double)(x.IsSynced ? 1 : 0))));
        m.Metric("tend_mirror_revision", "gauge", "Store revision the mirror has seen.", mirrors.Select(x => (P("prefix", x.Prefix), (double)x.Current.Revision)));
        m.Metric("tend_mirror_keys", "gauge", "Keys below the watched prefix.", mirrors.Select(x => (P("prefix", x.Prefix), (double)x.Current.Count)));
        m.Metric("tend_mirror_updates_total", "counter", "Updates applied to the mirror.", mirrors.Select(x => (P("prefix", x.Prefix), (double)x.UpdateCount)));
        m.Metric("tend_mirror_reconnects_total", "counter", "Times the watch had to be re-established (by the mirror, or by the store after its connection was lost).", mirrors.Select(x => (P("prefix", x.Prefix), (double)x.ReconnectCount)));
        m.Metric("tend_mirror_watching", "gauge", "1 while the mirror is current (watching), 0 while loading or reconnecting.", mirrors.Select(x => (P("prefix", x.Prefix), (double)(x.State == KvMirrorState.Watching ? 1 : 0))));
        m.Metric("tend_mirror_catch_ups_total", "counter", "Times a reader asked the store to confirm this mirror is current (a render of several prefixes, /getall).", mirrors.Select(x => (P("prefix", x.Prefix), (double)x.CatchUpCount)));

        if (runtime.Render is { } render)
        {
            var rs = render.Status;
            m.Metric("tend_render_writes_total", "counter", "Files written.", rs.Select(r => (P("id", r.Id), (double)r.Writes)));
            m.Metric("tend_render_failures_total", "counter", "Renders that failed (template, check, write).", rs.Select(r => (P("id", r.Id), (double)r.Failures)));
            m.Metric("tend_render_reload_failures_total", "counter", "Reload commands that failed.", rs.Select(r => (P("id", r.Id), (double)r.ReloadFailures)));
            m.Metric("tend_render_error", "gauge", "1 while the template's last render failed.", rs.Select(r => (P("id", r.Id), (double)(r.LastError is null ? 0 : 1))));
            m.Metric("tend_render_last_render_timestamp_seconds", "gauge", "When the template last rendered.", rs.Where(r => r.LastRender is not null).Select(r => (P("id", r.Id), (double)r.LastRender!.Value.ToUnixTimeMilliseconds() / 1000)));
        }

        if (runtime.Register is { } register)
        {
            var ss = register.Status;
            m.Metric("tend_register_healthy", "gauge", "1 when the service's check passes (after rise/fall).", ss.Select(s => (P("service", s.Name), (double)(s.Healthy == true ? 1 : 0))));
            m.Metric("tend_register_registered", "gauge", "1 while the service's entry is in the store.", ss.Select(s => (P("service", s.Name), (double)(s.Registered ? 1 : 0))));
            m.Metric("tend_register_checks_total", "counter", "Health checks run.", ss.Select(s => (P("service", s.Name), (double)s.Checks)));
            m.Metric("tend_register_registrations_total", "counter", "Times the entry was created.", ss.Select(s => (P("service", s.Name), (double)s.Registrations)));
        }

        if (runtime.Hooks?.Status is { } hooks)
        {
            if (hooks.Nagios is { } n)
            {
                m.Metric("tend_nagios_hosts", "gauge", "Hosts in the last generated Nagios inventory.", [(NoLabels, n.Hosts)]);
                m.Metric("tend_nagios_ignored_keys", "gauge", "Keys under the root that are not ROOT/<type>/<ordinal>.", [(NoLabels, n.IgnoredKeys)]);
                m.Metric("tend_nagios_writes_total", "counter", "Nagios inventory files installed.", [(NoLabels, n.Writes)]);
                m.Metric("tend_nagios_failures_total", "counter", "Generations that failed (template, disk, check).", [(NoLabels, n.Failures)]);
                m.Metric("tend_nagios_check_failures_total", "counter", "Generations Nagios' check rejected.", [(NoLabels, n.CheckFailures)]);
                m.Metric("tend_nagios_error", "gauge", "1 while the last generation failed.", [(NoLabels, n.LastError is null ? 0 : 1)]);
                m.Metric("tend_nagios_reloads_total", "counter", "Nagios reloads.", [(NoLabels, n.Reloads)]);
                m.Metric("tend_nagios_reload_failures_total", "counter", "Nagios reloads that failed.", [(NoLabels, n.ReloadFailures)]);
                m.Metric("tend_nagios_ssh_resets_total", "counter", "known_hosts entries reset.", [(NoLabels, n.SshResets)]);
                m.Metric("tend_nagios_ssh_failures_total", "counter", "known_hosts resets that failed.", [(NoLabels, n.SshFailures)]);
                m.Metric("tend_nagios_ssh_pending", "gauge", "Hosts waiting for a known_hosts reset.", [(NoLabels, n.SshPending)]);
            }

            var es = hooks.Exec;
            m.Metric("tend_hooks_exec_runs_total", "counter", "Exec hook commands run.", es.Select(h => (P("hook", h.Id), (double)h.Runs)));
            m.Metric("tend_hooks_exec_changes_total", "counter", "Changes reported to exec hooks.", es.Select(h => (P("hook", h.Id), (double)h.Changes)));
            m.Metric("tend_hooks_exec_failures_total", "counter", "Exec hook runs that failed (including timeouts).", es.Select(h => (P("hook", h.Id), (double)h.Failures)));
            m.Metric("tend_hooks_exec_timeouts_total", "counter", "Exec hook runs killed by their timeout.", es.Select(h => (P("hook", h.Id), (double)h.Timeouts)));
            m.Metric("tend_hooks_exec_pending", "gauge", "Changed keys waiting for the exec hook.", es.Select(h => (P("hook", h.Id), (double)h.Pending)));
        }

        if (runtime.Health?.Status is { } healthModule)
        {
            var cs = healthModule.Checks;
            m.Metric("tend_health_check_state", "gauge", "The check's state for the node's role: 0 passing, 1 warning, 2 critical, 3 unknown.", cs.Where(c => c.State is not null).Select(c => (P("service", c.Service), (double)(int)(Modules.Checks.CheckStates.Parse(c.State) ?? Modules.Checks.CheckState.Unknown))));
            m.Metric("tend_health_checks_total", "counter", "Checks run.", cs.Select(c => (P("service", c.Service), (double)c.Checks)));
            m.Metric("tend_health_changes_total", "counter", "Times the check's state (or role) changed.", cs.Select(c => (P("service", c.Service), (double)c.Changes)));
            m.Metric("tend_health_published", "gauge", "1 while the check's health entry is in the store.", cs.Select(c => (P("service", c.Service), (double)(c.PublishedKey is null ? 0 : 1))));
            var ts = healthModule.Triggers;
            m.Metric("tend_health_trigger_runs_total", "counter", "Trigger runs started.", ts.Select(t => (TriggerLabels(t), (double)t.Runs)));
            m.Metric("tend_health_trigger_failures_total", "counter", "Trigger runs that failed (exit code, timeout, could not start).", ts.Select(t => (TriggerLabels(t), (double)t.Failures)));
            m.Metric("tend_health_trigger_timeouts_total", "counter", "Trigger runs killed by trigger_timeout.", ts.Select(t => (TriggerLabels(t), (double)t.Timeouts)));
            m.Metric("tend_health_trigger_suppressed_total", "counter", "Firings not run because the trigger ran within flap_interval.", ts.Select(t => (TriggerLabels(t), (double)t.Suppressed)));
        }

        if (runtime.Membership?.Status is { } ms)
        {
            m.Metric("tend_membership_passes_total", "counter", "Membership passes run.", [(NoLabels, ms.Passes)]);
            m.Metric("tend_membership_failures_total", "counter", "Membership passes that failed (inventory, etcd, file).", [(NoLabels, ms.Failures)]);
            m.Metric("tend_membership_error", "gauge", "1 while the last membership pass failed.", [(NoLabels, ms.LastError is null ? 0 : 1)]);
            m.Metric("tend_membership_withheld", "gauge", "Membership changes due but not safe or possible now (see /status withheld).", [(NoLabels, ms.Withheld.Count)]);
            m.Metric("tend_membership_candidates", "gauge", "Machines the inventory says should be members.", [(NoLabels, ms.Candidates)]);
            m.Metric("tend_membership_members", "gauge", "Members of the etcd cluster.", [(NoLabels, ms.Members)]);
            m.Metric("tend_membership_learners", "gauge", "Learners (non-voting members) of the etcd cluster.", [(NoLabels, ms.Learners)]);
            m.Metric("tend_membership_healthy_members", "gauge", "Members that passed the health probe.", [(NoLabels, ms.Healthy)]);
            m.Metric("tend_membership_removals_total", "counter", "Members removed because their machine was gone.", [(NoLabels, ms.Removals)]);
            m.Metric("tend_membership_additions_total", "counter", "Times this machine was added to the cluster.", [(NoLabels, ms.Additions)]);
            m.Metric("tend_membership_promotions_total", "counter", "Learners promoted to voting members.", [(NoLabels, ms.Promotions)]);
            m.Metric("tend_membership_environment_writes_total", "counter", "Times the environment file was written.", [(NoLabels, ms.EnvironmentWrites)]);
            if (ms.LastPass is { } last)
            {
                m.Metric("tend_membership_last_pass_timestamp_seconds", "gauge", "When the last membership pass ended.", [(NoLabels, last.ToUnixTimeMilliseconds() / 1000.0)]);
            }
        }

        return m.ToString();
    }

    private static (string Name, string Value)[] TriggerLabels(Modules.Health.TriggerStatus t) => [("service", t.Service), ("role", t.Role), ("state", t.State)];

    private static readonly (string Name, string Value)[] NoLabels = [];

    private static (string Name, string Value)[] P(string name, string value) => [(name, value)];

    private sealed class MetricWriter
    {
        private readonly StringBuilder _text = new();

        public void Metric(string name, string type, string help, IEnumerable<((string Name, string Value)[] Labels, double Value)> samples)
        {
            _text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
            _text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
            foreach (var (labels, value) in samples)
            {
                _text.Append(name);
                if (labels.Length > 0)
                {
                    _text.Append('{');
                    for (int i = 0; i < labels.Length; i++)
                    {
                        if (i > 0)
                        {
                            _text.Append(',');
                        }

                        _text.Append(labels[i].Name).Append("=\"").Append(Escape(labels[i].Value)).Append('"');
                    }

                    _text.Append('}');
                }

                _text.Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
            }
        }

        public override string ToString() => _text.ToString();

        private static string Escape(string v) =>
            v.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
    }
}

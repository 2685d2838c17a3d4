using System.Text.Json;
using Tend.Core.Config;
using Tend.Modules.Hooks;
using static Tend.Hosting.MetricsWriter;

namespace Tend.Hosting;

/// <summary>
/// <c>[hooks]</c> in the daemon: the Nagios generator and the exec hooks, and — in a daemon that accepts
/// <c>/putall</c> — finishing a replace of the inventory left unfinished, so the module runs while the section has
/// hooks or while inventory writes are served, with or without the section. Validation compiles the templates and
/// looks the ssh user up; a reload keeps the hooks whose settings did not change running with their queues.
/// </summary>
internal sealed class HooksModuleHost(DaemonModuleContext context) : SectionModuleHost<HooksModule, HooksModuleHost.Settings>("hooks")
{
    public override void WriteStatus(Utf8JsonWriter json)
    {
        if (Module?.Status is not { } status)
        {
            return;
        }

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

    public override void WriteMetrics(MetricsWriter metrics)
    {
        if (Module?.Status is not { } hooks)
        {
            return;
        }

        if (hooks.Nagios is { } n)
        {
            metrics.Metric("tend_nagios_hosts", "gauge", "Hosts in the last generated Nagios inventory.", [(NoLabels, n.Hosts)]);
            metrics.Metric("tend_nagios_ignored_keys", "gauge", "Keys under the root that are not ROOT/<type>/<ordinal>.", [(NoLabels, n.IgnoredKeys)]);
            metrics.Metric("tend_nagios_writes_total", "counter", "Nagios inventory files installed.", [(NoLabels, n.Writes)]);
            metrics.Metric("tend_nagios_failures_total", "counter", "Generations that failed (template, disk, check).", [(NoLabels, n.Failures)]);
            metrics.Metric("tend_nagios_check_failures_total", "counter", "Generations Nagios' check rejected.", [(NoLabels, n.CheckFailures)]);
            metrics.Metric("tend_nagios_error", "gauge", "1 while the last generation failed.", [(NoLabels, n.LastError is null ? 0 : 1)]);
            metrics.Metric("tend_nagios_reloads_total", "counter", "Nagios reloads.", [(NoLabels, n.Reloads)]);
            metrics.Metric("tend_nagios_reload_failures_total", "counter", "Nagios reloads that failed.", [(NoLabels, n.ReloadFailures)]);
            metrics.Metric("tend_nagios_ssh_resets_total", "counter", "known_hosts entries reset.", [(NoLabels, n.SshResets)]);
            metrics.Metric("tend_nagios_ssh_failures_total", "counter", "known_hosts resets that failed.", [(NoLabels, n.SshFailures)]);
            metrics.Metric("tend_nagios_ssh_pending", "gauge", "Hosts waiting for a known_hosts reset.", [(NoLabels, n.SshPending)]);
        }

        var es = hooks.Exec;
        metrics.Metric("tend_hooks_exec_runs_total", "counter", "Exec hook commands run.", es.Select(h => (Label("hook", h.Id), (double)h.Runs)));
        metrics.Metric("tend_hooks_exec_changes_total", "counter", "Changes reported to exec hooks.", es.Select(h => (Label("hook", h.Id), (double)h.Changes)));
        metrics.Metric("tend_hooks_exec_failures_total", "counter", "Exec hook runs that failed (including timeouts).", es.Select(h => (Label("hook", h.Id), (double)h.Failures)));
        metrics.Metric("tend_hooks_exec_timeouts_total", "counter", "Exec hook runs killed by their timeout.", es.Select(h => (Label("hook", h.Id), (double)h.Timeouts)));
        metrics.Metric("tend_hooks_exec_pending", "gauge", "Changed keys waiting for the exec hook.", es.Select(h => (Label("hook", h.Id), (double)h.Pending)));
    }

    protected override Settings? OptionsOf(TendConfig config)
    {
        var options = config.Module<HooksOptions>("hooks");
        bool servesInventoryWrites = config.Http.Listen is not null && config.Http.Token is not null;
        return HooksModule.HasWork(options) || servesInventoryWrites ? new Settings(options ?? new HooksOptions(), servesInventoryWrites) : null;
    }

    protected override void Validate(Settings options) => HooksModule.Validate(options.Hooks);

    protected override HooksModule Create() => new(context.Mirrors, context.Runner, context.Loggers, context.Store);

    protected override Task ApplyAsync(HooksModule module, Settings options, CancellationToken cancellationToken) =>
        module.ApplyAsync(options.Hooks, options.ServesInventoryWrites, cancellationToken);

    /// <summary>What the hooks module runs with: the section (empty when absent) and whether this daemon serves <c>/putall</c>.</summary>
    /// <param name="Hooks">The <c>[hooks]</c> options.</param>
    /// <param name="ServesInventoryWrites">The HTTP API listens with a token, so it accepts inventory writes.</param>
    internal sealed record Settings(HooksOptions Hooks, bool ServesInventoryWrites);
}

using System.Text.Json;
using Tend.Modules.Checks;
using Tend.Modules.Health;
using static Tend.Hosting.MetricsWriter;

namespace Tend.Hosting;

/// <summary>
/// <c>[health]</c> in the daemon: continuous checks, roles and triggers. An identity that does not resolve rejects
/// the reload before any module changes; a reload keeps the checks whose settings did not change.
/// </summary>
internal sealed class HealthModuleHost(DaemonModuleContext context) : SectionModuleHost<HealthModule, HealthOptions>("health")
{
    public override void WriteStatus(Utf8JsonWriter json)
    {
        if (Module?.Status is not { } status)
        {
            return;
        }

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

    public override void WriteMetrics(MetricsWriter metrics)
    {
        if (Module?.Status is not { } health)
        {
            return;
        }

        var cs = health.Checks;
        metrics.Metric("tend_health_check_state", "gauge", "The check's state for the node's role: 0 passing, 1 warning, 2 critical, 3 unknown.", cs.Where(c => c.State is not null).Select(c => (Label("service", c.Service), (double)(int)(CheckStates.Parse(c.State) ?? CheckState.Unknown))));
        metrics.Metric("tend_health_checks_total", "counter", "Checks run.", cs.Select(c => (Label("service", c.Service), (double)c.Checks)));
        metrics.Metric("tend_health_changes_total", "counter", "Times the check's state (or role) changed.", cs.Select(c => (Label("service", c.Service), (double)c.Changes)));
        metrics.Metric("tend_health_published", "gauge", "1 while the check's health entry is in the store.", cs.Select(c => (Label("service", c.Service), (double)(c.PublishedKey is null ? 0 : 1))));
        var ts = health.Triggers;
        metrics.Metric("tend_health_trigger_runs_total", "counter", "Trigger runs started.", ts.Select(t => (TriggerLabels(t), (double)t.Runs)));
        metrics.Metric("tend_health_trigger_failures_total", "counter", "Trigger runs that failed (exit code, timeout, could not start).", ts.Select(t => (TriggerLabels(t), (double)t.Failures)));
        metrics.Metric("tend_health_trigger_timeouts_total", "counter", "Trigger runs killed by trigger_timeout.", ts.Select(t => (TriggerLabels(t), (double)t.Timeouts)));
        metrics.Metric("tend_health_trigger_suppressed_total", "counter", "Firings not run because the trigger ran within flap_interval.", ts.Select(t => (TriggerLabels(t), (double)t.Suppressed)));
    }

    protected override void Validate(HealthOptions options) => HealthModule.Validate(options);

    protected override HealthModule Create() => new(context.Store, context.Mirrors, context.Runner, context.Loggers);

    protected override Task ApplyAsync(HealthModule module, HealthOptions options, CancellationToken cancellationToken) => module.ApplyAsync(options, cancellationToken);

    private static (string Name, string Value)[] TriggerLabels(TriggerStatus t) => [("service", t.Service), ("role", t.Role), ("state", t.State)];
}

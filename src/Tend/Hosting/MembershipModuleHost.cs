using System.Text.Json;
using Tend.Modules.Membership;
using static Tend.Hosting.MetricsWriter;

namespace Tend.Hosting;

/// <summary><c>[membership]</c> in the daemon: keeps this machine's etcd membership and environment file converged with the inventory.</summary>
internal sealed class MembershipModuleHost(DaemonModuleContext context) : SectionModuleHost<MembershipModule, MembershipOptions>("membership")
{
    public override void WriteStatus(Utf8JsonWriter json)
    {
        if (Module?.Status is not { } m)
        {
            return;
        }

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

    public override void WriteMetrics(MetricsWriter metrics)
    {
        if (Module?.Status is not { } ms)
        {
            return;
        }

        metrics.Metric("tend_membership_passes_total", "counter", "Membership passes run.", [(NoLabels, ms.Passes)]);
        metrics.Metric("tend_membership_failures_total", "counter", "Membership passes that failed (inventory, etcd, file).", [(NoLabels, ms.Failures)]);
        metrics.Metric("tend_membership_error", "gauge", "1 while the last membership pass failed.", [(NoLabels, ms.LastError is null ? 0 : 1)]);
        metrics.Metric("tend_membership_withheld", "gauge", "Membership changes due but not safe or possible now (see /status withheld).", [(NoLabels, ms.Withheld.Count)]);
        metrics.Metric("tend_membership_candidates", "gauge", "Machines the inventory says should be members.", [(NoLabels, ms.Candidates)]);
        metrics.Metric("tend_membership_members", "gauge", "Members of the etcd cluster.", [(NoLabels, ms.Members)]);
        metrics.Metric("tend_membership_learners", "gauge", "Learners (non-voting members) of the etcd cluster.", [(NoLabels, ms.Learners)]);
        metrics.Metric("tend_membership_healthy_members", "gauge", "Members that passed the health probe.", [(NoLabels, ms.Healthy)]);
        metrics.Metric("tend_membership_removals_total", "counter", "Members removed because their machine was gone.", [(NoLabels, ms.Removals)]);
        metrics.Metric("tend_membership_additions_total", "counter", "Times this machine was added to the cluster.", [(NoLabels, ms.Additions)]);
        metrics.Metric("tend_membership_promotions_total", "counter", "Learners promoted to voting members.", [(NoLabels, ms.Promotions)]);
        metrics.Metric("tend_membership_environment_writes_total", "counter", "Times the environment file was written.", [(NoLabels, ms.EnvironmentWrites)]);
        if (ms.LastPass is { } last)
        {
            metrics.Metric("tend_membership_last_pass_timestamp_seconds", "gauge", "When the last membership pass ended.", [(NoLabels, last.ToUnixTimeMilliseconds() / 1000.0)]);
        }
    }

    protected override void Validate(MembershipOptions options) => MembershipModule.Validate(options);

    protected override MembershipModule Create() => new(context.Loggers);

    protected override Task ApplyAsync(MembershipModule module, MembershipOptions options, CancellationToken cancellationToken) => module.ApplyAsync(options, cancellationToken);
}

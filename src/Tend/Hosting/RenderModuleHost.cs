using System.Text.Json;
using Tend.Core.Config;
using Tend.Modules.Render;
using Tend.Modules.Render.Config;
using static Tend.Hosting.MetricsWriter;

namespace Tend.Hosting;

/// <summary>
/// The render resources in the daemon. Validation builds the next render module (a check command that does not
/// parse rejects the reload; a template that cannot be read or parsed fails only its own resource); applying it
/// stops the old module and starts the new one on the same mirrors, so a prefix both read keeps its watch.
/// </summary>
internal sealed class RenderModuleHost(DaemonModuleContext context) : IDaemonModule
{
    private volatile RenderModule? _module;

    public Task<ModuleChange> ValidateAsync(TendConfig config, CancellationToken cancellationToken = default)
    {
        var options = RenderConfigReader.OptionsOf(config);
        var next = options.Templates.Count > 0
            ? RenderModule.Create(options, context.Store, context.Mirrors, context.Runner, context.Loggers, Console.Out)
            : null;
        return Task.FromResult(new ModuleChange(_ => ReplaceAsync(next), next is null ? null : next.DisposeAsync));
    }

    public void WriteStatus(Utf8JsonWriter json)
    {
        json.WriteStartArray("render");
        foreach (var r in _module?.Status ?? [])
        {
            json.WriteStartObject();
            json.WriteString("id", r.Id);
            json.WriteString("dest", r.Destination);
            StatusJson.WriteTime(json, "last_render", r.LastRender);
            StatusJson.WriteTime(json, "last_write", r.LastWrite);
            json.WriteString("last_error", r.LastError);
            json.WriteNumber("revision", r.Revision);
            json.WriteNumber("writes", r.Writes);
            json.WriteNumber("failures", r.Failures);
            json.WriteNumber("reload_failures", r.ReloadFailures);
            json.WriteString("last_reload_error", r.LastReloadError);
            StatusJson.WriteTime(json, "next_due", r.NextDue);
            json.WriteString("durability", r.Durability);
            json.WriteString("durability_note", r.DurabilityNote);
            json.WriteString("last_diff", r.LastDiff);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    public void WriteMetrics(MetricsWriter metrics)
    {
        if (_module is not { } render)
        {
            return;
        }

        var rs = render.Status;
        metrics.Metric("tend_render_writes_total", "counter", "Files written.", rs.Select(r => (Label("id", r.Id), (double)r.Writes)));
        metrics.Metric("tend_render_failures_total", "counter", "Renders that failed (template, check, write).", rs.Select(r => (Label("id", r.Id), (double)r.Failures)));
        metrics.Metric("tend_render_reload_failures_total", "counter", "Reload commands that failed.", rs.Select(r => (Label("id", r.Id), (double)r.ReloadFailures)));
        metrics.Metric("tend_render_error", "gauge", "1 while the template's last render failed.", rs.Select(r => (Label("id", r.Id), (double)(r.LastError is null ? 0 : 1))));
        metrics.Metric("tend_render_last_render_timestamp_seconds", "gauge", "When the template last rendered.", rs.Where(r => r.LastRender is not null).Select(r => (Label("id", r.Id), (double)r.LastRender!.Value.ToUnixTimeMilliseconds() / 1000)));
    }

    public async ValueTask DisposeAsync()
    {
        if (_module is { } module)
        {
            _module = null;
            await module.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task ReplaceAsync(RenderModule? next)
    {
        // The old module's leases go before the new one takes its own: a prefix both read keeps its mirror.
        await DisposeAsync().ConfigureAwait(false);
        _module = next;
        context.RenderReplaced?.Invoke(next);
        next?.Start();
    }
}

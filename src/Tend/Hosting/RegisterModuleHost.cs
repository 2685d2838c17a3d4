using System.Globalization;
using System.Text.Json;
using Tend.Modules.Register;
using static Tend.Hosting.MetricsWriter;

namespace Tend.Hosting;

/// <summary>
/// <c>[register]</c> in the daemon: one register module while the section exists. A reload keeps every entry whose
/// identity (key and data) did not change, so it never flaps a registration.
/// </summary>
internal sealed class RegisterModuleHost(DaemonModuleContext context) : SectionModuleHost<RegisterModule, RegisterOptions>("register")
{
    public override void WriteStatus(Utf8JsonWriter json)
    {
        if (Module is not { } module)
        {
            return;
        }

        json.WriteStartArray("register");
        foreach (var svc in module.Status)
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

    public override void WriteMetrics(MetricsWriter metrics)
    {
        if (Module is not { } module)
        {
            return;
        }

        var ss = module.Status;
        metrics.Metric("tend_register_healthy", "gauge", "1 when the service's check passes (after rise/fall).", ss.Select(s => (Label("service", s.Name), (double)(s.Healthy == true ? 1 : 0))));
        metrics.Metric("tend_register_registered", "gauge", "1 while the service's entry is in the store.", ss.Select(s => (Label("service", s.Name), (double)(s.Registered ? 1 : 0))));
        metrics.Metric("tend_register_checks_total", "counter", "Health checks run.", ss.Select(s => (Label("service", s.Name), (double)s.Checks)));
        metrics.Metric("tend_register_registrations_total", "counter", "Times the entry was created.", ss.Select(s => (Label("service", s.Name), (double)s.Registrations)));
    }

    protected override RegisterModule Create() => new(context.Store, loggers: context.Loggers);

    protected override Task ApplyAsync(RegisterModule module, RegisterOptions options, CancellationToken cancellationToken) => module.ApplyAsync(options, cancellationToken);
}

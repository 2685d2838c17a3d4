using Tend.Core.Kv;
using Tend.Modules.Hooks;
using Tend.Modules.Hooks.Inventory;
using Tend.Modules.Hooks.Nagios;
using Tend.Modules.Render.Config;
using Tend.Modules.Tests.Render;
using Tend.Templates;
using Tend.Testing;
using Xunit;

namespace Tend.Modules.Tests.Hooks;

/// <summary>The Nagios generator's templates (the operator's own files) render within <c>[hooks.nagios]</c>'s limits.</summary>
public sealed class NagiosTemplateLimitsTests : IDisposable
{
    private static readonly HostInventory Inventory = new(new HostInventoryOptions());
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private (List<HostEntry> Hosts, KvSnapshot Snapshot) Site()
    {
        var snapshot = KvSnapshot.Create("/site", 3, [new("/site/web/800", "created")]);
        return (Inventory.Read(snapshot).Hosts.ToList(), snapshot);
    }

    [Fact]
    public void Render_CpuBoundHostsTemplate_StopsAtTheTimeLimit()
    {
        var template = _dir.File("hosts.tmpl", "{{$s := seq 1 100000}}{{range $s}}{{range $s}}{{end}}{{end}}");
        var options = new NagiosOptions
        {
            HostsFile = "/x/flex-hosts.cfg",
            GroupsFile = "/x/flex-groups.cfg",
            HostsTemplate = template,
            Limits = new RenderLimits { Timeout = TimeSpan.FromMilliseconds(200) },
        };
        var (hosts, snapshot) = Site();

        var e = Assert.Throws<TemplateExecutionException>(() => NagiosTemplates.Compile(options).Render(Inventory, snapshot, hosts));

        Assert.Equal(TemplateLimitKind.Time, e.LimitExceeded);
        Assert.StartsWith("template: hosts.tmpl:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Cancelled_StopsPromptly()
    {
        var template = _dir.File("hosts.tmpl", "{{$s := seq 1 100000}}{{range $s}}{{range $s}}{{end}}{{end}}");
        var options = new NagiosOptions { HostsFile = "/x/flex-hosts.cfg", GroupsFile = "/x/flex-groups.cfg", HostsTemplate = template, Limits = new RenderLimits { Timeout = TimeSpan.FromHours(1) } };
        var (hosts, snapshot) = Site();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        Assert.ThrowsAny<OperationCanceledException>(() => NagiosTemplates.Compile(options).Render(Inventory, snapshot, hosts, cts.Token));
    }

    [Fact]
    public void Render_OutputBeyondMaxOutput_FailsNamingTheFile()
    {
        var template = _dir.File("groups.tmpl", "{{range seq 1 100}}0123456789{{end}}");
        var options = new NagiosOptions { HostsFile = "/x/flex-hosts.cfg", GroupsFile = "/x/flex-groups.cfg", GroupsTemplate = template, Limits = new RenderLimits { MaxOutput = 500 } };
        var (hosts, snapshot) = Site();

        var e = Assert.Throws<TemplateExecutionException>(() => NagiosTemplates.Compile(options).Render(Inventory, snapshot, hosts));

        Assert.Equal(TemplateLimitKind.Output, e.LimitExceeded);
        Assert.EndsWith("output exceeds the limit of 500 bytes", e.Message, StringComparison.Ordinal);
    }
}

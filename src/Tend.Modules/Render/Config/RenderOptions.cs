using Tend.Core.Config;
using Tend.Core.Files;

namespace Tend.Modules.Render.Config;

/// <summary>The <c>[render]</c> section: defaults for every resource, extra resource sources, and the resources themselves.</summary>
public sealed record RenderOptions
{
    /// <summary>The default quiescence period (<c>wait = "min:max"</c>).</summary>
    public ChangeWait Wait { get; init; } = ChangeWait.None;

    /// <summary>When set, poll the store at this interval instead of watching it.</summary>
    public TimeSpan? Interval { get; init; }

    /// <summary>Default timeout of check commands.</summary>
    public TimeSpan CheckTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Default timeout of reload commands.</summary>
    public TimeSpan ReloadTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The default time, output and memory bounds of a template render (<c>template_timeout</c>, <c>max_output</c>, <c>max_memory</c>).</summary>
    public RenderLimits Limits { get; init; } = RenderLimits.Default;

    /// <summary>Write files but run no check and no reload command (confd's <c>-sync-only</c>).</summary>
    public bool SyncOnly { get; init; }

    /// <summary>
    /// How each rendered file is flushed around its rename (<c>durability = "ordered" | "full" | "none"</c>; the
    /// older <c>fsync = true | false</c> means "full" | "none"). The default, full, fsyncs each staged file before the
    /// rename; ordered writes its data before the rename and fsyncs file and directory after it, which on ext4 and XFS
    /// promises the same (<see cref="FileDurability"/>) and elsewhere is written as full, with a warning. A resource's
    /// own setting overrides it.
    /// </summary>
    public FileDurability Durability { get; init; } = FileDurability.Full;

    /// <summary>Keep a staged file that was not committed (confd's <c>-keep-stage-file</c>).</summary>
    public bool KeepStageFile { get; init; }

    /// <summary>Print a diff of what would change and write nothing (confd's <c>-noop</c>).</summary>
    public bool Noop { get; init; }

    /// <summary>Print each rendered file to the output (<c>&gt; destination</c> and its text) and write nothing, run no command (consul-template's <c>-dry</c>).</summary>
    public bool Dry { get; init; }

    /// <summary>A consul-template HCL configuration (file or directory) whose templates are added (<c>consul_template = "path"</c>).</summary>
    public string? ConsulTemplate { get; init; }

    /// <summary>A child process to supervise (consul-template's exec mode), from <c>[render.exec]</c> or the consul-template configuration.</summary>
    public RenderExecOptions? Exec { get; init; }

    /// <summary>A confd confdir whose <c>conf.d/*.toml</c> resources are added.</summary>
    public string? Confdir { get; init; }

    /// <summary>A reconfig cfgdir whose <c>conf.d/*.json</c> resources are added.</summary>
    public string? Cfgdir { get; init; }

    /// <summary>The <c>[[render.template]]</c> resources.</summary>
    public IReadOnlyList<RenderResourceOptions> Templates { get; init; } = [];
}

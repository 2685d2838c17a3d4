using Tend.Core.Config;

namespace Tend.Modules.Render.Config;

/// <summary>
/// One rendered file: a template, the keys it reads, where it goes and what runs around the write.
/// tend.toml's <c>[[render.template]]</c>, a confd <c>conf.d/*.toml</c> and a reconfig
/// <c>conf.d/*.json</c> all produce this record.
/// </summary>
public sealed record RenderResourceOptions
{
    /// <summary>A name for logs and <c>/status</c> (default: the destination's file name; a confd resource's conf.d file name).</summary>
    public required string Id { get; init; }

    /// <summary>True when the operator named the resource (<c>id = ...</c>); a default id that two resources share is made unique.</summary>
    public bool IdFromConfig { get; init; }

    /// <summary>Where the resource was declared (<c>file:line</c>), for messages.</summary>
    public string Origin { get; init; } = string.Empty;

    /// <summary>The template file (absolute); for a template given inline (<see cref="Contents"/>), the file that declared it.</summary>
    public required string Source { get; init; }

    /// <summary>The template's text given inline (consul-template's <c>contents</c>); <c>null</c>: read <see cref="Source"/>.</summary>
    public string? Contents { get; init; }

    /// <summary>The destination file (absolute).</summary>
    public required string Destination { get; init; }

    /// <summary>The watched keys (normalised, relative to <see cref="Prefix"/>); each is read recursively.</summary>
    public IReadOnlyList<string> Keys { get; init; } = [];

    /// <summary>The resource prefix, joined below the global <c>[store] prefix</c>; template lookups are relative to it.</summary>
    public string Prefix { get; init; } = "/";

    /// <summary>The file mode; <c>null</c>: the existing file's, else 0644.</summary>
    public UnixFileMode? Mode { get; init; }

    /// <summary>The owner's uid; <c>null</c>: the existing file's, else the process's.</summary>
    public int? Uid { get; init; }

    /// <summary>The group's gid; <c>null</c>: the existing file's, else the process's.</summary>
    public int? Gid { get; init; }

    /// <summary>Validates the staged file before it replaces the destination; a template where <c>{{.src}}</c> is the staged path.</summary>
    public string? CheckCommand { get; init; }

    /// <summary>Runs after the destination was replaced (shared reload commands run once per burst).</summary>
    public string? ReloadCommand { get; init; }

    /// <summary>The check's timeout; <c>null</c>: the <c>[render]</c> default.</summary>
    public TimeSpan? CheckTimeout { get; init; }

    /// <summary>The reload's timeout; <c>null</c>: the <c>[render]</c> default.</summary>
    public TimeSpan? ReloadTimeout { get; init; }

    /// <summary>The quiescence period; <c>null</c>: the <c>[render]</c> default.</summary>
    public ChangeWait? Wait { get; init; }

    /// <summary>Keep one backup of the replaced file as <c>dest.bak</c>.</summary>
    public bool Backup { get; init; }

    /// <summary>Create the destination's directory when it is missing.</summary>
    public bool CreateDestDirs { get; init; }

    /// <summary>This resource's <c>fsync</c>; null takes <c>[render] fsync</c> (see <see cref="RenderOptions.Fsync"/>).</summary>
    public bool? Fsync { get; init; }

    /// <summary>What a missing map key does.</summary>
    public RenderMissingKey MissingKey { get; init; } = RenderMissingKey.Error;

    /// <summary>What the template sees as its data.</summary>
    public RenderDataShape Shape { get; init; } = RenderDataShape.Confd;

    /// <summary>consul-template only: the action's opening delimiter (<c>left_delimiter</c>); <c>null</c>: <c>{{</c>.</summary>
    public string? LeftDelimiter { get; init; }

    /// <summary>consul-template only: the action's closing delimiter (<c>right_delimiter</c>); <c>null</c>: <c>}}</c>.</summary>
    public string? RightDelimiter { get; init; }

    /// <summary>
    /// consul-template only: how long the template may wait for a dependency without data (a key read
    /// with <c>key</c> that does not exist) before the wait is an error naming it; a onetime run fails
    /// then, a watching one keeps waiting and renders when the data comes. <c>null</c>: one minute.
    /// </summary>
    public TimeSpan? MissingDataTimeout { get; init; }

    /// <summary>reconfig only: the whole tree under the key (true) or the single key (false).</summary>
    public bool Recursive { get; init; } = true;

    /// <summary>The render's time limit; <c>null</c>: the <c>[render]</c> default.</summary>
    public TimeSpan? TemplateTimeout { get; init; }

    /// <summary>The render's output bound in bytes; <c>null</c>: the <c>[render]</c> default.</summary>
    public long? MaxOutput { get; init; }

    /// <summary>The render's memory bound in bytes; <c>null</c>: the <c>[render]</c> default.</summary>
    public long? MaxMemory { get; init; }
}

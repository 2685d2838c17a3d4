using Tend.Core.Config;
using Tend.Core.Kv;
using Tend.Core.Mirror;
using Tend.Core.Scheduling;
using Tend.Modules.Render.Config;

namespace Tend.Modules.Render;

/// <summary>One resource at run time: its options, compiled template, schedule and status. Guarded by the module's lock.</summary>
internal sealed class RenderResource(RenderResourceOptions options, IResourceTemplate template, ShellCommandTemplate? checkCommand, ChangeWait wait)
{
    public RenderResourceOptions Options { get; } = options;

    public IResourceTemplate Template { get; } = template;

    /// <summary>The compiled <c>check_cmd</c>, or <c>null</c> when there is none.</summary>
    public ShellCommandTemplate? CheckCommand { get; } = checkCommand;

    /// <summary>The Consul catalog the template reads (consul-template resources); null for the others.</summary>
    public ResourceCatalog? Catalog { get; set; }

    private MemoryStream? _output = new();

    /// <summary>
    /// The buffer to render into, reused from render to render: a large file then costs one buffer
    /// for the module's life, not fresh large allocations per change. A render that overlaps
    /// another of the same resource gets a buffer of its own.
    /// </summary>
    public MemoryStream RentOutput()
    {
        var buffer = Interlocked.Exchange(ref _output, null) ?? new MemoryStream();
        buffer.SetLength(0);
        return buffer;
    }

    /// <summary>Hands the buffer back once its bytes are written.</summary>
    public void ReturnOutput(MemoryStream buffer) => _output = buffer;

    /// <summary>The store prefixes read: each key joined below the resource prefix.</summary>
    /// <remarks>
    /// A consul-template resource without keys of its own (none, or the root, as consul-template's configuration
    /// gives) reads what its template names: the prefixes of the paths its key functions are given, or the whole
    /// tree below its prefix when a path is computed at render time.
    /// </remarks>
    public IReadOnlyList<string> ReadPrefixes { get; } = ReadPrefixesOf(options, template);

    private static List<string> ReadPrefixesOf(RenderResourceOptions o, IResourceTemplate template)
    {
        if (o.Shape == RenderDataShape.ConsulTemplate && (o.Keys.Count == 0 || (o.Keys.Count == 1 && o.Keys[0] == KeyPath.Root)))
        {
            return template.KeyPrefixes is { } named
                ? named.Select(k => KeyPath.Join(o.Prefix, k)).Distinct(StringComparer.Ordinal).ToList()
                : [o.Prefix];
        }

        return o.Keys.Select(k => KeyPath.Join(o.Prefix, k)).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>The mirrors of <see cref="ReadPrefixes"/>, in the same order, held by the module in watch mode (empty otherwise).</summary>
    public IReadOnlyList<KvMirror> Mirrors { get; set; } = [];

    /// <summary>Since when a consul-template render has been waiting for data it reads (<c>null</c>: not waiting).</summary>
    public DateTimeOffset? WaitingSince { get; set; }

    /// <summary>Whether the data waited for includes a file (no key change announces it, so the wait looks again every second).</summary>
    public bool WaitingForFile { get; set; }

    /// <summary>How long the resource may wait for data before the wait is reported as an error.</summary>
    public TimeSpan MissingDataTimeout { get; } = options.MissingDataTimeout ?? TimeSpan.FromMinutes(1);

    /// <summary>
    /// The devices (major:minor) on which this resource's <c>durability = "ordered"</c> was found not to hold and
    /// <c>full</c> used instead; each is warned about once.
    /// </summary>
    public HashSet<string> OrderedFallbacks { get; } = new(StringComparer.Ordinal);

    /// <summary>True once every mirror the resource reads has loaded; nothing renders before.</summary>
    public bool Synced { get; set; }

    /// <summary>When it renders next: its burst wait, the first render once loaded, the retry after a failure.</summary>
    public ChangeSchedule Schedule { get; } = new(wait);

    /// <summary>True while a pass holding this resource runs (watch mode); it is not scheduled again until that pass ends.</summary>
    public bool InFlight { get; set; }

    public RenderResourceStatus Status { get; set; } = new() { Id = options.Id, Destination = options.Destination };
}

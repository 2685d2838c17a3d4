namespace Tend.Modules.Render;

/// <summary>Where one render resource stands, for <c>/status</c> and logs.</summary>
public sealed record RenderResourceStatus
{
    public required string Id { get; init; }

    public required string Destination { get; init; }

    /// <summary>When the destination was last found or made current.</summary>
    public DateTimeOffset? LastRender { get; init; }

    /// <summary>When the destination was last replaced.</summary>
    public DateTimeOffset? LastWrite { get; init; }

    /// <summary>The error of the last attempt, <c>null</c> after a success.</summary>
    public string? LastError { get; init; }

    /// <summary>The store revision the destination reflects.</summary>
    public long Revision { get; init; }

    /// <summary>How many times the destination was replaced.</summary>
    public long Writes { get; init; }

    /// <summary>How many attempts failed (template, check, write).</summary>
    public long Failures { get; init; }

    /// <summary>How many reload commands after a write of this resource failed.</summary>
    public long ReloadFailures { get; init; }

    /// <summary>The last reload failure, <c>null</c> after a successful reload.</summary>
    public string? LastReloadError { get; init; }

    /// <summary>When the next render is due (a change waiting out its quiet period, a retry), <c>null</c> when none is.</summary>
    public DateTimeOffset? NextDue { get; init; }

    /// <summary>How the last write was flushed (<c>full</c>, <c>ordered</c>, <c>none</c>); <c>null</c> before the first write.</summary>
    public string? Durability { get; init; }

    /// <summary>Why <c>ordered</c> could not be kept on the destination's file system, so the last write was <c>full</c>; <c>null</c> otherwise.</summary>
    public string? DurabilityNote { get; init; }

    /// <summary>
    /// The last change written, as a unified diff with credential-looking lines withheld, or a note saying why it is
    /// not shown (a file that is not world-readable, larger than 1 MiB); <c>null</c> before the first write.
    /// </summary>
    public string? LastDiff { get; init; }
}

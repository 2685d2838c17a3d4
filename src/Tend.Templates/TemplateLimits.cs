namespace Tend.Templates;

/// <summary>
/// Bounds on one render, so a hostile or mistaken template fails with a clear error instead of
/// running forever or exhausting memory. A render that exceeds one throws a
/// <see cref="TemplateExecutionException"/> whose <see cref="TemplateExecutionException.LimitExceeded"/>
/// says which. Checking them costs a counter per loop iteration, template call and function call,
/// and a clock read every hundred or so of those.
/// </summary>
public sealed record TemplateLimits
{
    /// <summary>No limits (Go's behaviour).</summary>
    public static TemplateLimits None { get; } = new();

    /// <summary>How long one render may run; <c>null</c>: no limit.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>
    /// The most characters (UTF-16 code units; for ASCII text the same as bytes) one render may
    /// write; <c>null</c>: no limit.
    /// </summary>
    public long? MaxOutput { get; init; }

    /// <summary>
    /// The most bytes the values built by function calls may take, summed over one render: each
    /// function result is counted (two bytes a character of a string, eight an element of a list
    /// or map), functions that can build large values (<c>seq</c>, <c>replace</c>, <c>join</c>,
    /// formatting) are refused before they allocate, and no single formatting buffer may grow
    /// beyond what is left. <c>null</c>: no limit.
    /// </summary>
    public long? MaxMemory { get; init; }
}

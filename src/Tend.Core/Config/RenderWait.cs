namespace Tend.Core.Config;

/// <summary>
/// A quiescence period (consul-template's <c>wait = "min:max"</c>): a render happens once the keys
/// stayed unchanged for <see cref="Min"/>, but no later than <see cref="Max"/> after the first change
/// of a burst, so a store that never calms down still gets rendered.
/// </summary>
/// <param name="Min">How long the keys must stay quiet.</param>
/// <param name="Max">The longest a change waits.</param>
public sealed record RenderWait(TimeSpan Min, TimeSpan Max)
{
    /// <summary>No waiting: render as soon as a change arrives.</summary>
    public static RenderWait None { get; } = new(TimeSpan.Zero, TimeSpan.Zero);

    /// <summary>
    /// Parses <c>"min:max"</c> or <c>"min"</c> (then max is four times min, as consul-template does);
    /// each side is a duration such as <c>2s</c> or <c>500ms</c>.
    /// </summary>
    public static bool TryParse(string text, out RenderWait wait, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        wait = None;
        var parts = text.Split(':');
        if (parts.Length > 2 || !Durations.TryParse(parts[0], out var min))
        {
            error = $"wait must be \"min:max\" or \"min\" with durations such as \"2s:10s\", not \"{text}\"";
            return false;
        }

        var max = min * 4;
        if (parts.Length == 2 && !Durations.TryParse(parts[1], out max))
        {
            error = $"wait must be \"min:max\" or \"min\" with durations such as \"2s:10s\", not \"{text}\"";
            return false;
        }

        if (max < min)
        {
            error = $"wait \"{text}\": max must not be smaller than min";
            return false;
        }

        wait = new RenderWait(min, max);
        error = null;
        return true;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Min.TotalMilliseconds:F0}ms:{Max.TotalMilliseconds:F0}ms";
}

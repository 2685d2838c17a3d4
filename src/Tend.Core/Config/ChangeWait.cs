namespace Tend.Core.Config;

/// <summary>
/// A quiescence period (consul-template's <c>wait = "min:max"</c>), shared by everything a change
/// drives (renders, the Nagios generator, exec hooks): the work runs once the keys stayed unchanged
/// for <see cref="Min"/>, but no later than <see cref="Max"/> after the first change of a burst, so a
/// store that never calms down still gets served. <see cref="Scheduling.ChangeSchedule"/> applies it.
/// </summary>
/// <param name="Min">How long the keys must stay quiet.</param>
/// <param name="Max">The longest a change waits.</param>
public sealed record ChangeWait(TimeSpan Min, TimeSpan Max)
{
    /// <summary>No waiting: run as soon as a change arrives.</summary>
    public static ChangeWait None { get; } = new(TimeSpan.Zero, TimeSpan.Zero);

    /// <summary>
    /// Parses <c>"min:max"</c> or <c>"min"</c> (then max is four times min, as consul-template does, at most 24h);
    /// each side is a duration such as <c>2s</c> or <c>500ms</c>.
    /// </summary>
    public static bool TryParse(string text, out ChangeWait wait, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        wait = None;
        var parts = text.Split(':');
        string malformed = $"wait must be \"min:max\" or \"min\" with durations such as \"2s:10s\", not \"{text}\"";
        if (parts.Length > 2)
        {
            error = malformed;
            return false;
        }

        if (!Durations.TryParse(parts[0], out var min, out var minError))
        {
            error = Bounded(parts[0], minError, malformed);
            return false;
        }

        TimeSpan max;
        if (parts.Length == 2)
        {
            if (!Durations.TryParse(parts[1], out max, out var maxError))
            {
                error = Bounded(parts[1], maxError, malformed);
                return false;
            }
        }
        else
        {
            // consul-template's default max, within the bound every duration keeps.
            max = min * 4 < Durations.Maximum ? min * 4 : Durations.Maximum;
        }

        if (max < min)
        {
            error = $"wait \"{text}\": max must not be smaller than min";
            return false;
        }

        wait = new ChangeWait(min, max);
        error = null;
        return true;
    }

    // A side that reads as a duration but is too long is named as such; anything else is a malformed wait.
    private static string Bounded(string side, string error, string malformed) =>
        Durations.IsWellFormed(side) ? $"wait {error}" : malformed;

    /// <inheritdoc />
    public override string ToString() => $"{Min.TotalMilliseconds:F0}ms:{Max.TotalMilliseconds:F0}ms";
}

using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Tend.Core.Config;

/// <summary>
/// Durations as operators write them: Go style (<c>500ms</c>, <c>10s</c>, <c>1m30s</c>, <c>2h</c>) or a
/// bare number of seconds; never negative and never longer than <see cref="Maximum"/>.
/// </summary>
public static class Durations
{
    /// <summary>
    /// The longest duration any setting accepts (24 hours). Every wait, interval, timeout and TTL is
    /// used with timers, cancellation deadlines (about 49 days at most), ZooKeeper's millisecond
    /// session timeout (about 24 days) and date arithmetic; a day is far more than any of them needs
    /// and keeps every one of those safe, so an overflow is a clear configuration error rather than
    /// a crash at start-up or a render loop that silently ends.
    /// </summary>
    public static TimeSpan Maximum { get; } = TimeSpan.FromHours(24);

    /// <summary>How <see cref="Maximum"/> reads in messages.</summary>
    public const string MaximumText = "24h";

    /// <summary>The sentence of a value that is not a duration.</summary>
    public const string Expected = "a duration such as \"10s\", \"500ms\", \"1m30s\" or a number of seconds";

    /// <summary>Parses <paramref name="text"/>; false when it is not a duration or is out of range.</summary>
    public static bool TryParse(string text, out TimeSpan value) => TryParse(text, out value, out _);

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> completes "… must be" / "… is" sentences: what is wrong.</summary>
    /// <param name="text">The text.</param>
    /// <param name="value">The duration.</param>
    /// <param name="error">
    /// Why it was refused, phrased to follow a setting's name: <c>must be a duration such as …, not "x"</c>
    /// or <c>must be at most 24h, not "99999999999h"</c>.
    /// </param>
    public static bool TryParse(string text, out TimeSpan value, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        value = TimeSpan.Zero;
        if (!TryParseMilliseconds(text.Trim(), out var ms))
        {
            error = $"must be {Expected}, not \"{text}\"";
            return false;
        }

        return FromMilliseconds(ms, $"\"{text}\"", out value, out error);
    }

    /// <summary>True when <paramref name="text"/> reads as a duration, whether or not it is within <see cref="Maximum"/>.</summary>
    public static bool IsWellFormed(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParseMilliseconds(text.Trim(), out _);
    }

    /// <summary>A number of seconds (a TOML integer or float, a command-line number), bounded like every duration.</summary>
    public static bool TryFromSeconds(double seconds, out TimeSpan value, [NotNullWhen(false)] out string? error)
    {
        value = TimeSpan.Zero;
        if (double.IsNaN(seconds) || seconds < 0)
        {
            error = $"must be {Expected}, not {seconds.ToString(CultureInfo.InvariantCulture)}";
            return false;
        }

        return FromMilliseconds(seconds * 1000, seconds.ToString(CultureInfo.InvariantCulture), out value, out error);
    }

    /// <summary>A whole number of seconds (a TOML integer), bounded like every duration.</summary>
    public static bool TryFromSeconds(long seconds, out TimeSpan value, [NotNullWhen(false)] out string? error)
    {
        value = TimeSpan.Zero;
        if (seconds < 0)
        {
            error = $"must be {Expected}, not {seconds.ToString(CultureInfo.InvariantCulture)}";
            return false;
        }

        return FromMilliseconds(seconds * 1000.0, seconds.ToString(CultureInfo.InvariantCulture), out value, out error);
    }

    private static bool FromMilliseconds(double ms, string shown, out TimeSpan value, [NotNullWhen(false)] out string? error)
    {
        value = TimeSpan.Zero;
        // Compared as a double before any TimeSpan exists: TimeSpan.FromMilliseconds(1e20) throws.
        if (!(ms <= Maximum.TotalMilliseconds))
        {
            error = $"must be at most {MaximumText}, not {shown}";
            return false;
        }

        value = TimeSpan.FromMilliseconds(ms);
        error = null;
        return true;
    }

    private static bool TryParseMilliseconds(string s, out double totalMs)
    {
        totalMs = 0;
        if (s.Length == 0)
        {
            return false;
        }

        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            if (seconds < 0 || double.IsNaN(seconds) || double.IsInfinity(seconds))
            {
                return false;
            }

            totalMs = seconds * 1000;
            return true;
        }

        int i = 0;
        while (i < s.Length)
        {
            int start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (start == i || !double.TryParse(s.AsSpan(start, i - start), NumberStyles.Float, CultureInfo.InvariantCulture, out var n))
            {
                return false;
            }

            int unitStart = i;
            while (i < s.Length && (char.IsAsciiLetter(s[i]) || s[i] == 'µ'))
            {
                i++;
            }

            double factor = s[unitStart..i] switch
            {
                "ms" => 1,
                "s" => 1000,
                "m" => 60_000,
                "h" => 3_600_000,
                "us" or "µs" => 0.001,
                "ns" => 0.000001,
                _ => double.NaN,
            };
            if (double.IsNaN(factor))
            {
                return false;
            }

            totalMs += n * factor;
        }

        return true;
    }
}

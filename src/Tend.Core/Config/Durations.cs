using System.Globalization;

namespace Tend.Core.Config;

/// <summary>Durations as operators write them: Go style (<c>500ms</c>, <c>10s</c>, <c>1m30s</c>, <c>2h</c>) or a bare number of seconds.</summary>
public static class Durations
{
    /// <summary>Parses <paramref name="text"/>; false when it is not a duration.</summary>
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var s = text.Trim();
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

            value = TimeSpan.FromSeconds(seconds);
            return true;
        }

        double totalMs = 0;
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
            while (i < s.Length && char.IsAsciiLetter(s[i]))
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

        value = TimeSpan.FromMilliseconds(totalMs);
        return true;
    }
}

using System.Globalization;

namespace Tend.Core.Config;

/// <summary>Sizes as operators write them: a number of bytes, or with a unit (<c>"512KiB"</c>, <c>"64MiB"</c>, <c>"1GB"</c>).</summary>
public static class ByteSizes
{
    private static readonly (string Suffix, long Factor)[] Units =
    [
        ("KiB", 1L << 10), ("MiB", 1L << 20), ("GiB", 1L << 30), ("TiB", 1L << 40),
        ("kB", 1_000L), ("KB", 1_000L), ("MB", 1_000_000L), ("GB", 1_000_000_000L), ("TB", 1_000_000_000_000L),
        ("B", 1L),
    ];

    /// <summary>Parses <paramref name="text"/>: digits and an optional unit (<c>B</c>, <c>KB</c>/<c>KiB</c>, <c>MB</c>/<c>MiB</c>, <c>GB</c>/<c>GiB</c>, <c>TB</c>/<c>TiB</c>).</summary>
    public static bool TryParse(string text, out long bytes)
    {
        ArgumentNullException.ThrowIfNull(text);
        bytes = 0;
        var s = text.Trim();
        long factor = 1;
        foreach (var (suffix, f) in Units)
        {
            if (s.EndsWith(suffix, StringComparison.Ordinal))
            {
                s = s[..^suffix.Length].TrimEnd();
                factor = f;
                break;
            }
        }

        if (s.Length == 0 || !s.All(char.IsAsciiDigit) || !long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            return false;
        }

        try
        {
            bytes = checked(n * factor);
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }
}

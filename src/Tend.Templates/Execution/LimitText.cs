using System.Globalization;

namespace Tend.Templates.Execution;

/// <summary>How limits read in error messages: <c>10s</c>, <c>1m30s</c>, <c>64 MiB</c>.</summary>
internal static class LimitText
{
    public static string Duration(TimeSpan d)
    {
        if (d < TimeSpan.FromSeconds(1))
        {
            return string.Create(CultureInfo.InvariantCulture, $"{d.TotalMilliseconds:0.###}ms");
        }

        var parts = new List<string>(3);
        if (d.TotalHours >= 1)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{(long)d.TotalHours}h"));
        }

        if (d.Minutes > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{d.Minutes}m"));
        }

        double seconds = d.Seconds + (d.Ticks % TimeSpan.TicksPerSecond / (double)TimeSpan.TicksPerSecond);
        if (seconds > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{seconds:0.###}s"));
        }

        return string.Concat(parts);
    }

    public static string Size(long bytes)
    {
        foreach (var (unit, factor) in new[] { ("GiB", 1L << 30), ("MiB", 1L << 20), ("KiB", 1L << 10) })
        {
            if (bytes >= factor && bytes % factor == 0)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{bytes / factor} {unit}");
            }
        }

        return string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes");
    }
}

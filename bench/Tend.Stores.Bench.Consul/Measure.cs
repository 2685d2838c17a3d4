using System.Diagnostics;

namespace Tend.Stores.Bench.Consul;

internal static class Measure
{
    public static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[..3] is var p ? string.Join(' ', p) : "?";

    public static double Percentile(double[] values, double p)
    {
        var sorted = values.Order().ToArray();
        int i = (int)Math.Ceiling(p / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(i, 0, sorted.Length - 1)];
    }

    /// <summary>Peak resident set size of this process (VmHWM), in MB.</summary>
    public static double PeakRssMb()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line[6..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) / 1024.0;
            }
        }

        return 0;
    }

    public static TimeSpan Cpu() => Process.GetCurrentProcess().TotalProcessorTime;
}

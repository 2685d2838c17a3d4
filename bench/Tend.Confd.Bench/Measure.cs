namespace Tend.Confd.Bench;

internal static class Measure
{
    public static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ')[..3]);

    public static double Percentile(double[] values, double p)
    {
        var sorted = values.Order().ToArray();
        int i = (int)Math.Ceiling(p / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(i, 0, sorted.Length - 1)];
    }
}

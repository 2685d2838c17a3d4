using System.Globalization;
using System.Text;

namespace Tend.Hosting;

/// <summary>Writes metrics in Prometheus' text exposition format (version 0.0.4): one HELP and TYPE line each, then its samples.</summary>
internal sealed class MetricsWriter
{
    private readonly StringBuilder _text = new();

    /// <summary>A sample without labels.</summary>
    public static (string Name, string Value)[] NoLabels { get; } = [];

    /// <summary>One label.</summary>
    public static (string Name, string Value)[] Label(string name, string value) => [(name, value)];

    /// <summary>Writes a metric and its samples (none is allowed: the HELP and TYPE lines alone).</summary>
    public void Metric(string name, string type, string help, IEnumerable<((string Name, string Value)[] Labels, double Value)> samples)
    {
        _text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        _text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        foreach (var (labels, value) in samples)
        {
            _text.Append(name);
            if (labels.Length > 0)
            {
                _text.Append('{');
                for (int i = 0; i < labels.Length; i++)
                {
                    if (i > 0)
                    {
                        _text.Append(',');
                    }

                    _text.Append(labels[i].Name).Append("=\"").Append(Escape(labels[i].Value)).Append('"');
                }

                _text.Append('}');
            }

            _text.Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        }
    }

    public override string ToString() => _text.ToString();

    private static string Escape(string v) =>
        v.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}

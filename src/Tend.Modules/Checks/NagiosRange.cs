using System.Globalization;

namespace Tend.Modules.Checks;

/// <summary>
/// A Nagios plugin threshold range: <c>N</c> (0 to N), <c>N:</c> (N or more), <c>~:N</c> (at most N),
/// <c>N:M</c>, each alerting outside the range, or inside it with a leading <c>@</c>.
/// </summary>
internal sealed record NagiosRange(double Start, double End, bool Inside, string Text)
{
    public static NagiosRange Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var body = text;
        bool inside = body.StartsWith('@');
        if (inside)
        {
            body = body[1..];
        }

        double start = 0, end = double.PositiveInfinity;
        int colon = body.IndexOf(':', StringComparison.Ordinal);
        var startText = colon < 0 ? null : body[..colon];
        var endText = colon < 0 ? body : body[(colon + 1)..];
        if (startText is not null)
        {
            start = startText == "~" ? double.NegativeInfinity : Number(startText, text);
        }

        if (endText.Length > 0)
        {
            end = Number(endText, text);
        }
        else if (colon < 0)
        {
            throw new FormatException($"\"{text}\" is not a threshold range");
        }

        return start > end ? throw new FormatException($"\"{text}\": the start is above the end") : new NagiosRange(start, end, inside, text);
    }

    /// <summary>True when <paramref name="value"/> raises this threshold's alert.</summary>
    public bool Alerts(double value)
    {
        bool within = value >= Start && value <= End;
        return Inside ? within : !within;
    }

    private static double Number(string s, string text) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : throw new FormatException($"\"{text}\" is not a threshold range");
}

using System.Globalization;
using System.Text;
using Tend.Templates.Execution;

namespace Tend.Templates.Functions;

/// <summary>
/// What confd's <c>datetime</c> returns: a Go time.Time look-alike whose methods templates call
/// (<c>.Format "2006-01-02"</c>, <c>.Unix</c>, <c>.Year</c> ...). Layouts use Go's reference time.
/// </summary>
internal sealed class GoTime(DateTimeOffset value) : IGoStringer, ITemplateStruct
{
    // time.Time has no exported fields; these are the methods templates call on it.
    private static readonly TemplateStructType Type = new TemplateStructBuilder<GoTime>("time.Time")
        .Method("Format", [TemplateParameterType.String], static (t, a) => t.Format((string)a[0]!))
        .Method("String", static t => t.GoString())
        .Method("Unix", static t => t.Unix())
        .Method("UnixNano", static t => t.UnixNano())
        .Method("Year", static t => t.Year())
        .Method("Month", static t => t.Month())
        .Method("Day", static t => t.Day())
        .Method("Hour", static t => t.Hour())
        .Method("Minute", static t => t.Minute())
        .Method("Second", static t => t.Second())
        .Method("Nanosecond", static t => t.Nanosecond())
        .Method("YearDay", static t => t.YearDay())
        .Method("Weekday", static t => t.Weekday())
        .Method("UTC", static t => t.UTC())
        .Method("Local", static t => t.Local())
        .Build();
    private static readonly string[] LongDays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
    private static readonly string[] LongMonths = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    public DateTimeOffset Value { get; } = value;

    TemplateStructType ITemplateStruct.TemplateType => Type;

    public string GoString() => Format("2006-01-02 15:04:05.999999999 -0700 MST");

    public long Unix() => Value.ToUnixTimeSeconds();

    public long UnixNano() => (Value.UtcTicks - DateTime.UnixEpoch.Ticks) * 100;

    public long Year() => Value.Year;

    public string Month() => LongMonths[Value.Month - 1];

    public long Day() => Value.Day;

    public long Hour() => Value.Hour;

    public long Minute() => Value.Minute;

    public long Second() => Value.Second;

    public long Nanosecond() => Value.Ticks % TimeSpan.TicksPerSecond * 100;

    public long YearDay() => Value.DayOfYear;

    public string Weekday() => LongDays[(int)Value.DayOfWeek];

    public GoTime UTC() => new(Value.ToUniversalTime());

    public GoTime Local() => new(Value.ToLocalTime());

    public string Format(string layout)
    {
        var sb = new StringBuilder(layout.Length + 10);
        var t = Value;
        int i = 0;
        while (i < layout.Length)
        {
            string rest = layout[i..];
            int consumed = AppendToken(sb, t, rest);
            if (consumed == 0)
            {
                sb.Append(layout[i]);
                i++;
            }
            else
            {
                i += consumed;
            }
        }
        return sb.ToString();
    }

    private static string Two(int v) => v.ToString("00", CultureInfo.InvariantCulture);

    private static int AppendToken(StringBuilder sb, DateTimeOffset t, string s)
    {
        bool Starts(string p) => s.StartsWith(p, StringComparison.Ordinal);
        int hour12 = t.Hour % 12 == 0 ? 12 : t.Hour % 12;
        if (Starts("January")) { sb.Append(LongMonths[t.Month - 1]); return 7; }
        if (Starts("Jan")) { sb.Append(LongMonths[t.Month - 1][..3]); return 3; }
        if (Starts("Monday")) { sb.Append(LongDays[(int)t.DayOfWeek]); return 6; }
        if (Starts("Mon")) { sb.Append(LongDays[(int)t.DayOfWeek][..3]); return 3; }
        if (Starts("MST")) { sb.Append(t.Offset == TimeSpan.Zero ? "UTC" : Offset(t.Offset, false, true)); return 3; }
        if (Starts("2006")) { sb.Append(t.Year.ToString("0000", CultureInfo.InvariantCulture)); return 4; }
        if (Starts("2")) { sb.Append(t.Day); return 1; }
        if (Starts("_2")) { sb.Append(t.Day < 10 ? " " : "").Append(t.Day); return 2; }
        if (Starts("01")) { sb.Append(Two(t.Month)); return 2; }
        if (Starts("02")) { sb.Append(Two(t.Day)); return 2; }
        if (Starts("06")) { sb.Append(Two(t.Year % 100)); return 2; }
        if (Starts("002")) { sb.Append(t.DayOfYear.ToString("000", CultureInfo.InvariantCulture)); return 3; }
        if (Starts("03")) { sb.Append(Two(hour12)); return 2; }
        if (Starts("04")) { sb.Append(Two(t.Minute)); return 2; }
        if (Starts("05")) { sb.Append(Two(t.Second)); return 2; }
        if (Starts("15")) { sb.Append(Two(t.Hour)); return 2; }
        if (Starts("1")) { sb.Append(t.Month); return 1; }
        if (Starts("3")) { sb.Append(hour12); return 1; }
        if (Starts("4")) { sb.Append(t.Minute); return 1; }
        if (Starts("5")) { sb.Append(t.Second); return 1; }
        if (Starts("PM")) { sb.Append(t.Hour >= 12 ? "PM" : "AM"); return 2; }
        if (Starts("pm")) { sb.Append(t.Hour >= 12 ? "pm" : "am"); return 2; }
        if (Starts("Z07:00")) { sb.Append(t.Offset == TimeSpan.Zero ? "Z" : Offset(t.Offset, true, false)); return 6; }
        if (Starts("Z0700")) { sb.Append(t.Offset == TimeSpan.Zero ? "Z" : Offset(t.Offset, false, false)); return 5; }
        if (Starts("-07:00")) { sb.Append(Offset(t.Offset, true, false)); return 6; }
        if (Starts("-0700")) { sb.Append(Offset(t.Offset, false, false)); return 5; }
        if (Starts("-07")) { sb.Append(Offset(t.Offset, false, true)); return 3; }
        if (s.Length >= 2 && s[0] is '.' or ',' && s[1] is '0' or '9')
        {
            char d = s[1];
            int n = 1;
            while (n < s.Length && s[n] == d)
            {
                n++;
            }
            int digits = n - 1;
            if (n < s.Length && char.IsDigit(s[n]))
            {
                return 0;
            }
            long nanos = t.Ticks % TimeSpan.TicksPerSecond * 100;
            string frac = nanos.ToString("000000000", CultureInfo.InvariantCulture)[..Math.Min(9, digits)];
            if (d == '9')
            {
                frac = frac.TrimEnd('0');
                if (frac.Length > 0)
                {
                    sb.Append(s[0]).Append(frac);
                }
            }
            else
            {
                sb.Append(s[0]).Append(frac);
            }
            return n;
        }
        return 0;
    }

    private static string Offset(TimeSpan off, bool colon, bool hoursOnly)
    {
        char sign = off < TimeSpan.Zero ? '-' : '+';
        off = off.Duration();
        string h = Two(off.Hours);
        if (hoursOnly && off.Minutes == 0)
        {
            return sign + h;
        }
        return sign + h + (colon ? ":" : "") + Two(off.Minutes);
    }
}

using System.Globalization;

namespace Tend.Core.Config.Toml;

// Booleans, integers, floats and date-times.
internal sealed partial class TomlReader
{
    // ---- scalars: booleans, numbers, date-times ----

    private static int HexValue(char c) => char.IsAsciiDigit(c) ? c - '0' : (char.ToLowerInvariant(c) - 'a' + 10);

    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c == '_' || c == '+' || c == '-' || c == '.' || c == ':';

    private TomlValue ParseScalar(int line, int column)
    {
        var start = _pos;
        while (_pos < _s.Length && IsTokenChar(_s[_pos]))
        {
            _pos++;
        }

        if (_pos == start)
        {
            throw Error(start, $"expected a value, found {Describe(Peek())}");
        }

        var token = _s[start.._pos];

        // A date and a time may be separated by a single space: "1979-05-27 07:32:00".
        if (token.Length == 10 && LooksLikeDate(token) && Peek() == ' ' && Peek(1) >= '0' && Peek(1) <= '9')
        {
            _pos++;
            var timeStart = _pos;
            while (_pos < _s.Length && IsTokenChar(_s[_pos]))
            {
                _pos++;
            }

            token = token + "T" + _s[timeStart.._pos];
        }

        switch (token)
        {
            case "true":
                return new TomlBoolean(true, line, column);
            case "false":
                return new TomlBoolean(false, line, column);
            case "inf" or "+inf":
                return new TomlFloat(double.PositiveInfinity, line, column);
            case "-inf":
                return new TomlFloat(double.NegativeInfinity, line, column);
            case "nan" or "+nan" or "-nan":
                return new TomlFloat(double.NaN, line, column);
        }

        if ((token.Length >= 3 && token[2] == ':') || LooksLikeDate(token))
        {
            return ParseDateTime(token, start, line, column);
        }

        if (token.Length >= 2 && token[0] == '0' && token[1] is 'x' or 'o' or 'b')
        {
            return new TomlInteger(ParseRadixInteger(token, start), line, column);
        }

        if (token.Contains('.', StringComparison.Ordinal) || token.Contains('e', StringComparison.Ordinal) || token.Contains('E', StringComparison.Ordinal))
        {
            return new TomlFloat(ParseFloat(token, start), line, column);
        }

        return new TomlInteger(ParseDecimalInteger(token, start), line, column);
    }

    private static bool LooksLikeDate(string t) =>
        t.Length >= 10 && char.IsAsciiDigit(t[0]) && char.IsAsciiDigit(t[1]) && char.IsAsciiDigit(t[2])
        && char.IsAsciiDigit(t[3]) && t[4] == '-';

    /// <summary>
    /// Scans digits in which each underscore must sit between two digits. Returns false if there is no
    /// leading digit or an underscore is misplaced.
    /// </summary>
    private static bool ScanDigits(string t, ref int i, Func<char, bool> isDigit)
    {
        if (i >= t.Length || !isDigit(t[i]))
        {
            return false;
        }

        i++;
        while (i < t.Length)
        {
            if (isDigit(t[i]))
            {
                i++;
            }
            else if (t[i] == '_')
            {
                if (i + 1 >= t.Length || !isDigit(t[i + 1]))
                {
                    return false;
                }

                i++;
            }
            else
            {
                break;
            }
        }

        return true;
    }

    private long ParseDecimalInteger(string t, int start)
    {
        var i = t[0] is '+' or '-' ? 1 : 0;
        var digitsStart = i;
        if (!ScanDigits(t, ref i, char.IsAsciiDigit) || i != t.Length)
        {
            throw Error(start, $"invalid value '{t}'");
        }

        if (t[digitsStart] == '0' && i - digitsStart > 1)
        {
            throw Error(start, $"leading zeros are not allowed in integer '{t}'");
        }

        if (!long.TryParse(t.Replace("_", "", StringComparison.Ordinal), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw Error(start, $"integer '{t}' is outside the 64-bit signed range");
        }

        return value;
    }

    private long ParseRadixInteger(string t, int start)
    {
        var (radix, isDigit) = t[1] switch
        {
            'x' => (16, (Func<char, bool>)char.IsAsciiHexDigit),
            'o' => (8, c => c is >= '0' and <= '7'),
            _ => (2, c => c is '0' or '1'),
        };
        var i = 2;
        if (!ScanDigits(t, ref i, isDigit) || i != t.Length)
        {
            throw Error(start, $"invalid base-{radix} integer '{t}'");
        }

        long value = 0;
        for (var j = 2; j < t.Length; j++)
        {
            if (t[j] == '_')
            {
                continue;
            }

            var d = HexValue(t[j]);
            if (value > (long.MaxValue - d) / radix)
            {
                throw Error(start, $"integer '{t}' is outside the 64-bit signed range");
            }

            value = (value * radix) + d;
        }

        return value;
    }

    private double ParseFloat(string t, int start)
    {
        var i = t[0] is '+' or '-' ? 1 : 0;
        var intStart = i;
        var ok = ScanDigits(t, ref i, char.IsAsciiDigit);
        if (ok && t[intStart] == '0' && i - intStart > 1)
        {
            throw Error(start, $"leading zeros are not allowed in float '{t}'");
        }

        if (ok && i < t.Length && t[i] == '.')
        {
            i++;
            ok = ScanDigits(t, ref i, char.IsAsciiDigit);
        }

        if (ok && i < t.Length && t[i] is 'e' or 'E')
        {
            i++;
            if (i < t.Length && t[i] is '+' or '-')
            {
                i++;
            }

            ok = ScanDigits(t, ref i, char.IsAsciiDigit);
        }

        if (!ok || i != t.Length)
        {
            throw Error(start, $"invalid float '{t}'");
        }

        return double.Parse(t.Replace("_", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    private TomlValue ParseDateTime(string t, int start, int line, int column)
    {
        var i = 0;
        if (t.Length >= 3 && t[2] == ':')
        {
            var (time, digits) = ParseTime(t, ref i, start);
            if (i != t.Length)
            {
                throw Error(start, $"invalid local time '{t}'");
            }

            return new TomlLocalTime(TimeOnly.FromTimeSpan(time), digits, line, column);
        }

        var date = ParseDate(t, start);
        if (t.Length == 10)
        {
            return new TomlLocalDate(date, line, column);
        }

        if (t[10] is not ('T' or 't'))
        {
            throw Error(start, $"invalid date-time '{t}'");
        }

        i = 11;
        var (timeOfDay, fractionDigits) = ParseTime(t, ref i, start);
        var local = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified) + timeOfDay;
        if (i == t.Length)
        {
            return new TomlLocalDateTime(local, fractionDigits, line, column);
        }

        TimeSpan offset;
        if (t[i] is 'Z' or 'z' && i + 1 == t.Length)
        {
            offset = TimeSpan.Zero;
        }
        else if (t[i] is '+' or '-' && i + 6 == t.Length && t[i + 3] == ':'
            && TwoDigits(t, i + 1, out var oh) && TwoDigits(t, i + 4, out var om))
        {
            if (oh > 23 || om > 59)
            {
                throw Error(start, $"offset out of range in '{t}'");
            }

            offset = new TimeSpan(oh, om, 0);
            if (t[i] == '-')
            {
                offset = -offset;
            }
        }
        else
        {
            throw Error(start, $"invalid date-time '{t}'");
        }

        // DateTimeOffset only holds offsets up to ±14:00 and instants within years 1..9999.
        if (offset.Duration() > TimeSpan.FromHours(14))
        {
            throw Error(start, $"offset in '{t}' is beyond ±14:00, which is not supported");
        }

        var utcTicks = local.Ticks - offset.Ticks;
        if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
        {
            throw Error(start, $"date-time '{t}' is out of the supported range");
        }

        return new TomlOffsetDateTime(new DateTimeOffset(local, offset), fractionDigits, line, column);
    }

    private static bool TwoDigits(string t, int i, out int value)
    {
        value = 0;
        if (i + 1 >= t.Length || !char.IsAsciiDigit(t[i]) || !char.IsAsciiDigit(t[i + 1]))
        {
            return false;
        }

        value = ((t[i] - '0') * 10) + (t[i + 1] - '0');
        return true;
    }

    private DateOnly ParseDate(string t, int start)
    {
        if (t.Length < 10 || !TwoDigits(t, 0, out var y1) || !TwoDigits(t, 2, out var y2) || t[4] != '-'
            || !TwoDigits(t, 5, out var month) || t[7] != '-' || !TwoDigits(t, 8, out var day))
        {
            throw Error(start, $"invalid date '{t}' (expected YYYY-MM-DD)");
        }

        var year = (y1 * 100) + y2;
        if (year < 1 || month < 1 || month > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            throw Error(start, $"date '{t[..10]}' does not exist");
        }

        return new DateOnly(year, month, day);
    }

    private (TimeSpan Time, int FractionDigits) ParseTime(string t, ref int i, int start)
    {
        if (!TwoDigits(t, i, out var hour) || i + 2 >= t.Length || t[i + 2] != ':'
            || !TwoDigits(t, i + 3, out var minute) || i + 5 >= t.Length || t[i + 5] != ':'
            || !TwoDigits(t, i + 6, out var second))
        {
            throw Error(start, $"invalid time in '{t}' (expected HH:MM:SS)");
        }

        if (hour > 23 || minute > 59 || second > 59)
        {
            throw Error(start, $"time in '{t}' is out of range");
        }

        i += 8;
        long ticks = 0;
        var digits = 0;
        if (i < t.Length && t[i] == '.')
        {
            i++;
            while (i < t.Length && char.IsAsciiDigit(t[i]))
            {
                // Keep 7 digits (100 ns ticks); TOML lets parsers truncate extra precision.
                if (digits < 7)
                {
                    ticks = (ticks * 10) + (t[i] - '0');
                }

                digits++;
                i++;
            }

            if (digits == 0)
            {
                throw Error(start, $"missing digits after '.' in '{t}'");
            }

            for (var d = digits; d < 7; d++)
            {
                ticks *= 10;
            }
        }

        return (new TimeSpan(hour, minute, second) + TimeSpan.FromTicks(ticks), digits);
    }
}

using System.Globalization;

namespace Tend.Templates.Formatting;

/// <summary>Go's strconv.ParseInt/ParseUint (base 0) and ParseFloat as the template parser uses them.</summary>
internal static class GoNumbers
{
    public static bool TryParseUint(string s, out ulong value)
    {
        value = 0;
        if (s.Length == 0 || s[0] is '+' or '-')
        {
            return false;
        }
        return TryParseUnsigned(s, out value, out _);
    }

    public static bool TryParseInt(string s, out long value)
    {
        value = 0;
        if (s.Length == 0)
        {
            return false;
        }
        bool neg = false;
        string body = s;
        if (s[0] is '+' or '-')
        {
            neg = s[0] == '-';
            body = s[1..];
        }
        if (!TryParseUnsigned(body, out ulong un, out _))
        {
            return false;
        }
        const ulong cutoff = 1UL << 63;
        if (!neg && un >= cutoff)
        {
            return false;
        }
        if (neg && un > cutoff)
        {
            return false;
        }
        value = neg ? unchecked(-(long)un) : (long)un;
        return true;
    }

    private static bool TryParseUnsigned(string s0, out ulong value, out bool rangeError)
    {
        value = 0;
        rangeError = false;
        if (s0.Length == 0)
        {
            return false;
        }
        string s = s0;
        int b = 10;
        if (s[0] == '0')
        {
            if (s.Length >= 3 && char.ToLowerInvariant(s[1]) == 'b')
            {
                b = 2;
                s = s[2..];
            }
            else if (s.Length >= 3 && char.ToLowerInvariant(s[1]) == 'o')
            {
                b = 8;
                s = s[2..];
            }
            else if (s.Length >= 3 && char.ToLowerInvariant(s[1]) == 'x')
            {
                b = 16;
                s = s[2..];
            }
            else
            {
                b = 8;
                s = s[1..];
            }
        }
        bool underscores = false;
        ulong n = 0;
        foreach (char c in s)
        {
            int d;
            if (c == '_')
            {
                underscores = true;
                continue;
            }
            else if (c is >= '0' and <= '9')
            {
                d = c - '0';
            }
            else if (char.ToLowerInvariant(c) is >= 'a' and <= 'z')
            {
                d = char.ToLowerInvariant(c) - 'a' + 10;
            }
            else
            {
                return false;
            }
            if (d >= b)
            {
                return false;
            }
            if (rangeError)
            {
                continue;
            }
            ulong n1 = n * (ulong)b;
            if (n != 0 && n1 / (ulong)b != n)
            {
                rangeError = true;
                continue;
            }
            ulong n2 = n1 + (ulong)d;
            if (n2 < n1)
            {
                rangeError = true;
                continue;
            }
            n = n2;
        }
        if (underscores && !UnderscoreOk(s0))
        {
            return false;
        }
        if (rangeError)
        {
            return false;
        }
        value = n;
        return true;
    }

    public static bool UnderscoreOk(string s)
    {
        char saw = '^';
        int i = 0;
        if (s.Length >= 1 && s[0] is '-' or '+')
        {
            s = s[1..];
        }
        bool hex = false;
        if (s.Length >= 2 && s[0] == '0' && char.ToLowerInvariant(s[1]) is 'b' or 'o' or 'x')
        {
            i = 2;
            saw = '0';
            hex = char.ToLowerInvariant(s[1]) == 'x';
        }
        for (; i < s.Length; i++)
        {
            char c = s[i];
            if (c is >= '0' and <= '9' || (hex && char.ToLowerInvariant(c) is >= 'a' and <= 'f'))
            {
                saw = '0';
                continue;
            }
            if (c == '_')
            {
                if (saw != '0')
                {
                    return false;
                }
                saw = '_';
                continue;
            }
            if (saw == '_')
            {
                return false;
            }
            saw = '!';
        }
        return saw != '_';
    }

    public static bool TryParseFloat(string text, out double value)
    {
        value = 0;
        if (text.Length == 0)
        {
            return false;
        }
        if (text.Contains('_', StringComparison.Ordinal))
        {
            if (!UnderscoreOk(text))
            {
                return false;
            }
            text = text.Replace("_", "", StringComparison.Ordinal);
        }
        string body = text;
        bool neg = false;
        if (body[0] is '+' or '-')
        {
            neg = body[0] == '-';
            body = body[1..];
        }
        if (body.Length > 2 && body[0] == '0' && body[1] is 'x' or 'X')
        {
            if (!TryParseHexFloat(body[2..], out value))
            {
                return false;
            }
            value = neg ? -value : value;
            return true;
        }
        foreach (char c in body)
        {
            if (!(c is >= '0' and <= '9' or '.' or 'e' or 'E' or '+' or '-'))
            {
                return false;
            }
        }
        if (!double.TryParse(body, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out value))
        {
            return false;
        }
        if (double.IsInfinity(value))
        {
            return false;
        }
        value = neg ? -value : value;
        return true;
    }

    private static bool TryParseHexFloat(string s, out double value)
    {
        value = 0;
        int p = s.IndexOfAny(['p', 'P']);
        if (p < 0)
        {
            return false;
        }
        string mant = s[..p];
        if (!int.TryParse(s[(p + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int exp))
        {
            return false;
        }
        double m = 0;
        int fracDigits = 0;
        bool dot = false;
        bool any = false;
        foreach (char c in mant)
        {
            if (c == '.')
            {
                if (dot)
                {
                    return false;
                }
                dot = true;
                continue;
            }
            int d = Uri.IsHexDigit(c) ? Convert.ToInt32(c.ToString(), 16) : -1;
            if (d < 0)
            {
                return false;
            }
            any = true;
            m = (m * 16) + d;
            if (dot)
            {
                fracDigits++;
            }
        }
        if (!any)
        {
            return false;
        }
        value = m * Math.Pow(2, exp - (4 * fracDigits));
        return !double.IsInfinity(value);
    }
}

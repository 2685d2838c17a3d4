using System.Globalization;
using System.Numerics;
using System.Text;

namespace Tend.Templates.Formatting;

/// <summary>Go's strconv.FormatFloat for 64-bit floats: shortest digits and exact rounding (half to even on exact ties).</summary>
internal static class GoFloat
{
    public static string Format(double v, char fmt, int prec)
    {
        var sb = new StringBuilder(24);
        Append(sb, v, fmt, prec);
        return sb.ToString();
    }

    /// <summary>fmt: 'e', 'E', 'f', 'g', 'G'; prec &lt; 0 means shortest.</summary>
    public static void Append(StringBuilder sb, double v, char fmt, int prec)
    {
        if (double.IsNaN(v))
        {
            sb.Append("NaN");
            return;
        }
        if (double.IsInfinity(v))
        {
            sb.Append(v > 0 ? "+Inf" : "-Inf");
            return;
        }
        bool neg = v < 0 || (v == 0 && double.IsNegative(v));
        if (fmt is 'x' or 'X' or 'b')
        {
            AppendBinary(sb, v, fmt, prec, neg);
            return;
        }
        double a = Math.Abs(v);
        var digits = t_digits ??= new char[2048];
        int nd;
        int dp;
        bool shortest = prec < 0;
        if (shortest)
        {
            nd = ShortestDigits(a, digits, out dp);
            prec = fmt switch
            {
                'e' or 'E' => Math.Max(nd - 1, 0),
                'f' => Math.Max(nd - dp, 0),
                _ => nd,
            };
        }
        else
        {
            switch (fmt)
            {
                case 'e' or 'E':
                    nd = RoundedDigits(a, prec + 1, fixedPoint: false, digits, out dp);
                    break;
                case 'f':
                    nd = RoundedDigits(a, prec, fixedPoint: true, digits, out dp);
                    break;
                default:
                    if (prec == 0)
                    {
                        prec = 1;
                    }
                    nd = RoundedDigits(a, prec, fixedPoint: false, digits, out dp);
                    break;
            }
        }
        ReadOnlySpan<char> d = digits.AsSpan(0, nd);
        if (neg)
        {
            sb.Append('-');
        }
        switch (fmt)
        {
            case 'e' or 'E':
                AppendE(sb, d, dp, prec, fmt);
                return;
            case 'f':
                AppendF(sb, d, dp, prec);
                return;
            default:
                {
                    int eprec = prec;
                    if (eprec > nd && nd >= dp)
                    {
                        eprec = nd;
                    }
                    if (shortest)
                    {
                        eprec = 6;
                    }
                    int exp = dp - 1;
                    if (exp < -4 || exp >= eprec)
                    {
                        if (prec > nd)
                        {
                            prec = nd;
                        }
                        AppendE(sb, d, dp, prec - 1, fmt == 'G' ? 'E' : 'e');
                        return;
                    }
                    if (prec > dp)
                    {
                        prec = nd;
                    }
                    AppendF(sb, d, dp, Math.Max(prec - dp, 0));
                    return;
                }
        }
    }

    [ThreadStatic]
    private static char[]? t_digits;

    // Go's %b (decimal mantissa, binary exponent) and %x (hex mantissa) forms.
    private static void AppendBinary(StringBuilder sb, double v, char fmt, int prec, bool neg)
    {
        const int mantbits = 52;
        long bits = BitConverter.DoubleToInt64Bits(v);
        int exp = (int)((bits >> mantbits) & 0x7FF);
        ulong mant = (ulong)bits & ((1UL << mantbits) - 1);
        if (exp == 0)
        {
            exp++;
        }
        else
        {
            mant |= 1UL << mantbits;
        }
        exp += -1023;
        if (neg)
        {
            sb.Append('-');
        }
        if (fmt == 'b')
        {
            exp -= mantbits;
            sb.Append(mant.ToString(CultureInfo.InvariantCulture)).Append('p');
            if (exp >= 0)
            {
                sb.Append('+');
            }
            sb.Append(exp.ToString(CultureInfo.InvariantCulture));
            return;
        }
        if (mant == 0)
        {
            exp = 0;
        }
        mant <<= 60 - mantbits;
        while (mant != 0 && (mant & (1UL << 60)) == 0)
        {
            mant <<= 1;
            exp--;
        }
        if (prec >= 0 && prec < 15)
        {
            int shift = prec * 4;
            ulong extra = (mant << shift) & ((1UL << 60) - 1);
            mant >>= 60 - shift;
            if ((extra | (mant & 1)) > 1UL << 59)
            {
                mant++;
            }
            mant <<= 60 - shift;
            if ((mant & (1UL << 61)) != 0)
            {
                mant >>= 1;
                exp++;
            }
        }
        string hex = fmt == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
        sb.Append('0').Append(fmt).Append((char)('0' + (int)((mant >> 60) & 1)));
        mant <<= 4;
        if (prec < 0 && mant != 0)
        {
            sb.Append('.');
            while (mant != 0)
            {
                sb.Append(hex[(int)((mant >> 60) & 15)]);
                mant <<= 4;
            }
        }
        else if (prec > 0)
        {
            sb.Append('.');
            for (int i = 0; i < prec; i++)
            {
                sb.Append(hex[(int)((mant >> 60) & 15)]);
                mant <<= 4;
            }
        }
        sb.Append(fmt == 'X' ? 'P' : 'p');
        if (exp < 0)
        {
            sb.Append('-');
            exp = -exp;
        }
        else
        {
            sb.Append('+');
        }
        sb.Append(exp < 10 ? "0" : "").Append(exp.ToString(CultureInfo.InvariantCulture));
    }

    private static void AppendE(StringBuilder sb, ReadOnlySpan<char> d, int dp, int prec, char fmt)
    {
        sb.Append(d.Length != 0 ? d[0] : '0');
        if (prec > 0)
        {
            sb.Append('.');
            int i = 1;
            int m = Math.Min(d.Length, prec + 1);
            if (i < m)
            {
                sb.Append(d[i..m]);
                i = m;
            }
            for (; i <= prec; i++)
            {
                sb.Append('0');
            }
        }
        sb.Append(fmt);
        int exp = d.Length == 0 ? 0 : dp - 1;
        if (exp < 0)
        {
            sb.Append('-');
            exp = -exp;
        }
        else
        {
            sb.Append('+');
        }
        if (exp < 10)
        {
            sb.Append('0').Append((char)('0' + exp));
        }
        else
        {
            sb.Append(exp.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static void AppendF(StringBuilder sb, ReadOnlySpan<char> d, int dp, int prec)
    {
        if (dp > 0)
        {
            int m = Math.Min(d.Length, dp);
            sb.Append(d[..m]);
            for (; m < dp; m++)
            {
                sb.Append('0');
            }
        }
        else
        {
            sb.Append('0');
        }
        if (prec > 0)
        {
            sb.Append('.');
            for (int i = 1; i <= prec; i++)
            {
                int j = dp + i - 1;
                sb.Append(j >= 0 && j < d.Length ? d[j] : '0');
            }
        }
    }

    /// <summary>Shortest round-tripping digits (no leading/trailing zeros) into <paramref name="digits"/>; returns their count.</summary>
    private static int ShortestDigits(double a, char[] digits, out int dp)
    {
        dp = 0;
        if (a == 0)
        {
            return 0;
        }
        Span<char> r = stackalloc char[40];
        a.TryFormat(r, out int len, "R", CultureInfo.InvariantCulture);
        r = r[..len];
        int e = r.IndexOf('E');
        int exp = 0;
        if (e >= 0)
        {
            exp = int.Parse(r[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            r = r[..e];
        }
        int nd = 0;
        int intDigits = -1;
        bool leading = true;
        int leadingZerosAfterPoint = 0;
        bool afterPoint = false;
        foreach (char c in r)
        {
            if (c == '.')
            {
                intDigits = nd;
                afterPoint = true;
                continue;
            }
            if (leading && c == '0')
            {
                if (afterPoint)
                {
                    leadingZerosAfterPoint++;
                }
                continue;
            }
            leading = false;
            digits[nd++] = c;
        }
        if (intDigits < 0)
        {
            intDigits = nd;
        }
        // intDigits counts significant digits before the point; a value below 1 has none and
        // its point moves left over the zeros that followed it.
        dp = (intDigits > 0 ? intDigits : -leadingZerosAfterPoint) + exp;
        while (nd > 0 && digits[nd - 1] == '0')
        {
            nd--;
        }
        return nd;
    }

    /// <summary>Digits rounded to n significant digits, or (fixedPoint) to n digits after the point.</summary>
    private static int RoundedDigits(double a, int n, bool fixedPoint, char[] digits, out int dp)
    {
        dp = 0;
        if (a == 0)
        {
            return 0;
        }
        int snd = ShortestDigits(a, digits, out dp);
        int want = fixedPoint ? dp + n : n;
        if (want >= snd && want <= 15)
        {
            // The exact value is within half an ulp of the shortest digits, far below the rounding unit.
            return snd;
        }
        var (exact, edp) = ExactDigits(a);
        dp = edp;
        int nd = fixedPoint ? dp + n : n;
        if (nd < 0)
        {
            dp = 0;
            return 0;
        }
        if (nd >= exact.Length)
        {
            exact.CopyTo(digits);
            return exact.Length;
        }
        bool up;
        if (exact[nd] == '5' && nd + 1 == exact.Length)
        {
            up = nd > 0 && (exact[nd - 1] - '0') % 2 == 1;
        }
        else
        {
            up = exact[nd] >= '5';
        }
        exact.AsSpan(0, nd).CopyTo(digits);
        if (up)
        {
            int i = nd - 1;
            while (i >= 0 && digits[i] == '9')
            {
                i--;
            }
            if (i < 0)
            {
                digits[0] = '1';
                dp++;
                return 1;
            }
            digits[i]++;
            nd = i + 1;
        }
        while (nd > 0 && digits[nd - 1] == '0')
        {
            nd--;
        }
        if (nd == 0)
        {
            dp = 0;
        }
        return nd;
    }

    private static (string Digits, int Dp) ExactDigits(double a)
    {
        long bits = BitConverter.DoubleToInt64Bits(a);
        int bexp = (int)((bits >> 52) & 0x7FF);
        long mant = bits & 0xFFFFFFFFFFFFFL;
        if (bexp == 0)
        {
            bexp = 1;
        }
        else
        {
            mant |= 1L << 52;
        }
        int e = bexp - 1075;
        string digits;
        int dp;
        if (e >= 0)
        {
            digits = (new BigInteger(mant) << e).ToString(CultureInfo.InvariantCulture);
            dp = digits.Length;
        }
        else
        {
            digits = (new BigInteger(mant) * BigInteger.Pow(5, -e)).ToString(CultureInfo.InvariantCulture);
            dp = digits.Length + e;
        }
        digits = digits.TrimEnd('0');
        return (digits, dp);
    }
}

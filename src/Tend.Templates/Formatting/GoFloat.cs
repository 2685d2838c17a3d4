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
        string digits;
        int dp;
        bool shortest = prec < 0;
        if (shortest)
        {
            (digits, dp) = ShortestDigits(a);
            prec = fmt switch
            {
                'e' or 'E' => Math.Max(digits.Length - 1, 0),
                'f' => Math.Max(digits.Length - dp, 0),
                _ => digits.Length,
            };
        }
        else
        {
            switch (fmt)
            {
                case 'e' or 'E':
                    (digits, dp) = RoundedDigits(a, prec + 1, fixedPoint: false);
                    break;
                case 'f':
                    (digits, dp) = RoundedDigits(a, prec, fixedPoint: true);
                    break;
                default:
                    if (prec == 0)
                    {
                        prec = 1;
                    }
                    (digits, dp) = RoundedDigits(a, prec, fixedPoint: false);
                    break;
            }
        }
        if (neg)
        {
            sb.Append('-');
        }
        switch (fmt)
        {
            case 'e' or 'E':
                AppendE(sb, digits, dp, prec, fmt);
                return;
            case 'f':
                AppendF(sb, digits, dp, prec);
                return;
            default:
                {
                    int eprec = prec;
                    if (eprec > digits.Length && digits.Length >= dp)
                    {
                        eprec = digits.Length;
                    }
                    if (shortest)
                    {
                        eprec = 6;
                    }
                    int exp = dp - 1;
                    if (exp < -4 || exp >= eprec)
                    {
                        if (prec > digits.Length)
                        {
                            prec = digits.Length;
                        }
                        AppendE(sb, digits, dp, prec - 1, fmt == 'G' ? 'E' : 'e');
                        return;
                    }
                    if (prec > dp)
                    {
                        prec = digits.Length;
                    }
                    AppendF(sb, digits, dp, Math.Max(prec - dp, 0));
                    return;
                }
        }
    }

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

    private static void AppendE(StringBuilder sb, string d, int dp, int prec, char fmt)
    {
        sb.Append(d.Length != 0 ? d[0] : '0');
        if (prec > 0)
        {
            sb.Append('.');
            int i = 1;
            int m = Math.Min(d.Length, prec + 1);
            if (i < m)
            {
                sb.Append(d, i, m - i);
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

    private static void AppendF(StringBuilder sb, string d, int dp, int prec)
    {
        if (dp > 0)
        {
            int m = Math.Min(d.Length, dp);
            sb.Append(d, 0, m);
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

    /// <summary>Shortest round-tripping digits (no leading/trailing zeros) and the decimal point position.</summary>
    public static (string Digits, int Dp) ShortestDigits(double a)
    {
        if (a == 0)
        {
            return ("", 0);
        }
        string r = a.ToString("R", CultureInfo.InvariantCulture);
        int e = r.IndexOf('E', StringComparison.Ordinal);
        int exp = 0;
        string mant = r;
        if (e >= 0)
        {
            exp = int.Parse(r.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            mant = r[..e];
        }
        int dot = mant.IndexOf('.', StringComparison.Ordinal);
        string intPart = dot >= 0 ? mant[..dot] : mant;
        string frac = dot >= 0 ? mant[(dot + 1)..] : "";
        string all = intPart + frac;
        int dp = intPart.Length + exp;
        int lead = 0;
        while (lead < all.Length && all[lead] == '0')
        {
            lead++;
        }
        all = all[lead..];
        dp -= lead;
        all = all.TrimEnd('0');
        return (all, dp);
    }

    /// <summary>Digits rounded to n significant digits, or (fixedPoint) to n digits after the point.</summary>
    private static (string Digits, int Dp) RoundedDigits(double a, int n, bool fixedPoint)
    {
        if (a == 0)
        {
            return ("", 0);
        }
        var (sd, sdp) = ShortestDigits(a);
        int want = fixedPoint ? sdp + n : n;
        if (want >= sd.Length && want <= 15)
        {
            // The exact value is within half an ulp of the shortest digits, far below the rounding unit.
            return (sd, sdp);
        }
        var (digits, dp) = ExactDigits(a);
        int nd = fixedPoint ? dp + n : n;
        if (nd < 0)
        {
            return ("", 0);
        }
        if (nd >= digits.Length)
        {
            return (digits, dp);
        }
        bool up;
        if (digits[nd] == '5' && nd + 1 == digits.Length)
        {
            up = nd > 0 && (digits[nd - 1] - '0') % 2 == 1;
        }
        else
        {
            up = digits[nd] >= '5';
        }
        var buf = digits.ToCharArray(0, nd);
        if (up)
        {
            int i = nd - 1;
            while (i >= 0 && buf[i] == '9')
            {
                i--;
            }
            if (i < 0)
            {
                return ("1", dp + 1);
            }
            buf[i]++;
            nd = i + 1;
        }
        string s = new string(buf, 0, nd).TrimEnd('0');
        return (s, s.Length == 0 ? 0 : dp);
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

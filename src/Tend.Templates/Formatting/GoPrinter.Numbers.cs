using System.Globalization;
using System.Text;

namespace Tend.Templates.Formatting;

// Integers, floats and complex numbers.
internal sealed partial class GoPrinter
{
    /// <summary>An unsigned integer (uint8): as an int, except that %#v prints it in hex (0x61).</summary>
    private void FmtUnsignedVerb(byte v, int verb)
    {
        if (verb == 'v' && _sharpV)
        {
            bool oldSharp = _sharp;
            _sharp = true;
            FmtInteger(v, 16, verb, Ldigits);
            _sharp = oldSharp;
            return;
        }
        FmtIntegerVerb(v, verb);
    }

    private void FmtIntegerVerb(long v, int verb)
    {
        switch (verb)
        {
            case 'v' or 'd':
                FmtInteger(v, 10, verb, Ldigits);
                return;
            case 'b':
                FmtInteger(v, 2, verb, Ldigits);
                return;
            case 'o' or 'O':
                FmtInteger(v, 8, verb, Ldigits);
                return;
            case 'x':
                FmtInteger(v, 16, verb, Ldigits);
                return;
            case 'X':
                FmtInteger(v, 16, verb, Udigits);
                return;
            case 'c':
                {
                    int r = v is < 0 or > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) ? 0xFFFD : (int)v;
                    // Go pads %c but never truncates it by precision.
                    PadString(r < 0x10000 ? GoStrings.AsciiOrChar((char)r) : char.ConvertFromUtf32(r));
                    return;
                }
            case 'q':
                {
                    int r = v is < 0 or > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) ? 0xFFFD : (int)v;
                    var sb = new StringBuilder(4);
                    if (_sharp && r != '\'' && GoStrings.IsPrint(r) && r != 0xFFFD)
                    {
                        sb.Append('\'');
                        GoStrings.AppendRune(sb, r);
                        sb.Append('\'');
                    }
                    else
                    {
                        sb.Append('\'');
                        GoStrings.AppendEscapedRune(sb, r, '\'', _plus);
                        sb.Append('\'');
                    }
                    PadString(sb.ToString());
                    return;
                }
            case 'U':
                {
                    var sb = new StringBuilder(12);
                    if (_precPresent && _prec > 4)
                    {
                        string hex = v.ToString("X", CultureInfo.InvariantCulture);
                        sb.Append("U+").Append('0', Math.Max(0, _prec - hex.Length)).Append(hex);
                        if (_sharp && v is >= 0 and <= 0x10FFFF && GoStrings.IsPrint((int)v))
                        {
                            sb.Append(" '");
                            GoStrings.AppendRune(sb, (int)v);
                            sb.Append('\'');
                        }
                    }
                    else
                    {
                        GoStrings.AppendU(sb, v, _sharp);
                    }
                    bool oldZero = _zero;
                    _zero = false;
                    PadString(sb.ToString());
                    _zero = oldZero;
                    return;
                }
            default:
                BadVerb(verb);
                return;
        }
    }

    private void FmtInteger(long value, int b, int verb, string digits)
    {
        bool negative = value < 0;
        ulong u = negative ? (ulong)(-(value + 1)) + 1 : (ulong)value;
        Span<char> buf = stackalloc char[96];
        int prec = 0;
        if (_precPresent)
        {
            prec = _prec;
            if (prec == 0 && u == 0)
            {
                bool oldZero = _zero;
                _zero = false;
                WritePadding(_wid);
                _zero = oldZero;
                return;
            }
        }
        else if (_zero && _widPresent)
        {
            prec = _wid;
            if (negative || _plus || _space)
            {
                prec--;
            }
        }
        if (prec > 64)
        {
            buf = new char[prec + 32];
        }
        int i = buf.Length;
        if (b == 10)
        {
            while (u >= 10)
            {
                i--;
                ulong next = u / 10;
                buf[i] = (char)('0' + (int)(u - (next * 10)));
                u = next;
            }
        }
        else
        {
            int shift = b == 16 ? 4 : b == 8 ? 3 : 1;
            ulong mask = (ulong)b - 1;
            while (u >= (ulong)b)
            {
                i--;
                buf[i] = digits[(int)(u & mask)];
                u >>= shift;
            }
        }
        i--;
        buf[i] = digits[(int)u];
        while (i > 0 && prec > buf.Length - i)
        {
            i--;
            buf[i] = '0';
        }
        if (_sharp)
        {
            switch (b)
            {
                case 2:
                    buf[--i] = 'b';
                    buf[--i] = '0';
                    break;
                case 8:
                    if (buf[i] != '0')
                    {
                        buf[--i] = '0';
                    }
                    break;
                case 16:
                    buf[--i] = digits[16];
                    buf[--i] = '0';
                    break;
            }
        }
        if (verb == 'O')
        {
            buf[--i] = 'o';
            buf[--i] = '0';
        }
        if (negative)
        {
            buf[--i] = '-';
        }
        else if (_plus)
        {
            buf[--i] = '+';
        }
        else if (_space)
        {
            buf[--i] = ' ';
        }
        bool oz = _zero;
        _zero = false;
        PadChars(buf[i..]);
        _zero = oz;
    }

    private void FmtComplex(System.Numerics.Complex v, int verb)
    {
        if (verb is not ('v' or 'b' or 'g' or 'G' or 'x' or 'X' or 'f' or 'F' or 'e' or 'E'))
        {
            BadVerb(verb);
            return;
        }
        bool oldPlus = _plus;
        _buf.Append('(');
        FmtFloatVerb(v.Real, verb);
        _plus = true;
        FmtFloatVerb(v.Imaginary, verb);
        _buf.Append("i)");
        _plus = oldPlus;
    }

    private void FmtFloatVerb(double v, int verb)
    {
        switch (verb)
        {
            case 'v':
                FmtFloat(v, 'g', -1);
                return;
            case 'g' or 'G' or 'x' or 'X' or 'b':
                FmtFloat(v, (char)verb, -1);
                return;
            case 'f' or 'F':
                FmtFloat(v, 'f', 6);
                return;
            case 'e' or 'E':
                FmtFloat(v, (char)verb, 6);
                return;
            default:
                BadVerb(verb);
                return;
        }
    }

    [ThreadStatic]
    private static StringBuilder? t_tmp;

    private void FmtFloat(double v, char verb, int prec)
    {
        if (_precPresent)
        {
            prec = _prec;
        }
        var tmp = t_tmp ??= new StringBuilder(64);
        tmp.Clear();
        tmp.Append('+');
        GoFloat.Append(tmp, v, verb, prec);
        int start = tmp[1] is '-' or '+' ? 1 : 0;
        if (_space && tmp[start] == '+' && !_plus)
        {
            tmp[start] = ' ';
        }
        int len = tmp.Length - start;
        if (len > 1 && tmp[start + 1] is 'I' or 'N')
        {
            bool oldZero = _zero;
            _zero = false;
            if (tmp[start + 1] == 'N' && !_space && !_plus)
            {
                start++;
                len--;
            }
            PadBuilder(tmp, start, len);
            _zero = oldZero;
            return;
        }
        if (_sharp && verb != 'b')
        {
            string sharp = SharpFloat(tmp.ToString(start, len), verb, prec);
            tmp.Clear().Append(sharp);
            start = 0;
            len = tmp.Length;
        }
        if (_plus || tmp[start] != '+')
        {
            if (_zero && _widPresent && _wid > len)
            {
                _buf.Append(tmp[start]);
                WritePadding(_wid - len);
                _buf.Append(tmp, start + 1, len - 1);
                return;
            }
            PadBuilder(tmp, start, len);
            return;
        }
        PadBuilder(tmp, start + 1, len - 1);
    }

    // Padding for ASCII-only text held in a scratch builder (formatted numbers).
    private void PadBuilder(StringBuilder src, int start, int count)
    {
        if (!_widPresent || _wid == 0)
        {
            _buf.Append(src, start, count);
            return;
        }
        int width = _wid - count;
        if (!_minus)
        {
            WritePadding(width);
            _buf.Append(src, start, count);
        }
        else
        {
            _buf.Append(src, start, count);
            WritePadding(width);
        }
    }

    // The '#' flag keeps the decimal point (and, for %g, trailing zeros).
    private static string SharpFloat(string num, char verb, int prec)
    {
        int digits = 0;
        if (verb is 'v' or 'g' or 'G' or 'x')
        {
            digits = prec == -1 ? 6 : prec;
        }
        string tail = "";
        bool hasDot = false;
        bool sawNonzero = false;
        for (int i = 1; i < num.Length; i++)
        {
            char c = num[i];
            if (c == '.')
            {
                hasDot = true;
                continue;
            }
            if (c is 'p' or 'P' || (c is 'e' or 'E' && verb is not ('x' or 'X')))
            {
                tail = num[i..];
                num = num[..i];
                break;
            }
            if (c != '0')
            {
                sawNonzero = true;
            }
            if (sawNonzero)
            {
                digits--;
            }
        }
        if (!hasDot)
        {
            if (num.Length == 2 && num[1] == '0')
            {
                digits--;
            }
            num += ".";
        }
        if (digits > 0)
        {
            num += new string('0', digits);
        }
        return num + tail;
    }
}

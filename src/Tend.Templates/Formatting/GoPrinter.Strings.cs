using System.Text;

namespace Tend.Templates.Formatting;

// Padding, booleans and strings (%s %q %x).
internal sealed partial class GoPrinter
{
    private void WritePadding(int n)
    {
        if (n <= 0)
        {
            return;
        }
        _buf.Append(_zero ? '0' : ' ', n);
    }

    private static int RuneCount(string s)
    {
        int n = 0;
        for (int i = 0; i < s.Length; i++)
        {
            if (!(char.IsLowSurrogate(s[i]) && i > 0 && char.IsHighSurrogate(s[i - 1])))
            {
                n++;
            }
        }
        return n;
    }

    private void PadString(string s)
    {
        if (!_widPresent || _wid == 0)
        {
            _buf.Append(s);
            return;
        }
        int width = _wid - RuneCount(s);
        if (!_minus)
        {
            WritePadding(width);
            _buf.Append(s);
        }
        else
        {
            _buf.Append(s);
            WritePadding(width);
        }
    }

    private void PadChars(ReadOnlySpan<char> s)
    {
        if (!_widPresent || _wid == 0)
        {
            _buf.Append(s);
            return;
        }
        int width = _wid - s.Length;
        if (!_minus)
        {
            WritePadding(width);
            _buf.Append(s);
        }
        else
        {
            _buf.Append(s);
            WritePadding(width);
        }
    }

    private void FmtBool(bool b, int verb)
    {
        if (verb is 't' or 'v')
        {
            PadString(b ? "true" : "false");
        }
        else
        {
            BadVerb(verb);
        }
    }

    private string TruncateString(string s)
    {
        if (_precPresent)
        {
            int n = _prec;
            for (int i = 0; i < s.Length; i++)
            {
                if (char.IsLowSurrogate(s[i]) && i > 0 && char.IsHighSurrogate(s[i - 1]))
                {
                    continue;
                }
                n--;
                if (n < 0)
                {
                    return s[..i];
                }
            }
        }
        return s;
    }

    private void FmtS(string s) => PadString(TruncateString(s));

    private void FmtString(string s, int verb)
    {
        switch (verb)
        {
            case 'v':
                if (_sharpV)
                {
                    FmtQ(s);
                }
                else
                {
                    FmtS(s);
                }
                return;
            case 's':
                FmtS(s);
                return;
            case 'x':
                FmtSx(s, Ldigits);
                return;
            case 'X':
                FmtSx(s, Udigits);
                return;
            case 'q':
                FmtQ(s);
                return;
            default:
                BadVerb(verb);
                return;
        }
    }

    private void FmtQ(string s)
    {
        s = TruncateString(s);
        if (_sharp && GoStrings.CanBackquote(s))
        {
            PadString("`" + s + "`");
            return;
        }
        var sb = t_tmp ??= new StringBuilder(64);
        sb.Clear();
        GoStrings.AppendQuoted(sb, s, '"', asciiOnly: _plus);
        if (!_widPresent || _wid == 0)
        {
            _buf.Append(sb);
            return;
        }
        PadString(sb.ToString());
    }

    private void FmtSx(string s, string digits)
    {
        byte[] b = Encoding.UTF8.GetBytes(s);
        int length = b.Length;
        if (_precPresent && _prec < length)
        {
            length = _prec;
        }
        int width = 2 * length;
        if (width > 0)
        {
            if (_space)
            {
                if (_sharp)
                {
                    width *= 2;
                }
                width += length - 1;
            }
            else if (_sharp)
            {
                width += 2;
            }
        }
        else
        {
            if (_widPresent)
            {
                WritePadding(_wid);
            }
            return;
        }
        if (_widPresent && _wid > width && !_minus)
        {
            WritePadding(_wid - width);
        }
        if (_sharp)
        {
            _buf.Append('0').Append(digits[16]);
        }
        for (int i = 0; i < length; i++)
        {
            if (_space && i > 0)
            {
                _buf.Append(' ');
                if (_sharp)
                {
                    _buf.Append('0').Append(digits[16]);
                }
            }
            _buf.Append(digits[b[i] >> 4]).Append(digits[b[i] & 0xF]);
        }
        if (_widPresent && _wid > width && _minus)
        {
            WritePadding(_wid - width);
        }
    }
}
